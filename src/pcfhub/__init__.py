"""pcfhub: product carbon footprints (产品碳足迹) from supply chain to label."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pcfhub")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
