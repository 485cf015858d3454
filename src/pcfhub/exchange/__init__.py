"""Data exchange: pcfhub results written in other systems' wire formats (PACT v2 and v3)."""
