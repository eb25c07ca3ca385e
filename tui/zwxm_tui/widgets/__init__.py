"""Widgets of the TUI."""

from .key_bar import KeyBar
from .lazy_table import Column, LazyTable, fit
from .tab_bar import TabBar

__all__ = ["Column", "KeyBar", "LazyTable", "TabBar", "fit"]
