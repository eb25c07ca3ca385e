"""zwxm (政务项目): lifecycle, deadlines and compliance of district government IT projects."""

__version__ = "0.1.0"

from .hookspecs import hookimpl  # noqa: E402  (the marker plugins import as `from zwxm import hookimpl`)

__all__ = ["__version__", "hookimpl"]
