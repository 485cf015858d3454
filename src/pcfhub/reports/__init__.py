"""Reports and declarations: the GB/T 24067 / ISO 14067 study report, EU battery and CBAM."""
