"""Luna: a multi-tenant platform to build, run, watch and sell AI agents."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("luna")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
