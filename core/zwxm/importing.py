"""Compatibility alias for scripts written against the 0.1 docs: importing now lives in `zwxm.io.importer`."""

from .io.importer import *  # noqa: F401,F403
from .io.importer import __all__  # noqa: F401
