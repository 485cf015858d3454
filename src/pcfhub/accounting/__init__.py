"""Product models and their footprint accounting by GB/T 24067-2024 (= ISO 14067:2018)."""
