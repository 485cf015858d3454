"""Life cycle inventory databases: openLCA JSON-LD and EcoSpold imports, background matrices."""
