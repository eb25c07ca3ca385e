"""Compatibility alias for scripts written against the 0.1 docs: the store now lives in `zwxm.store`."""

from .store import *  # noqa: F401,F403
from .store import __all__  # noqa: F401
