"""Widgets of the TUI."""

from .choice import Choice, ChoiceMenu
from .key_bar import KeyBar
from .lazy_table import Column, LazyTable, fit
from .tab_bar import TabBar

__all__ = ["Choice", "ChoiceMenu", "Column", "KeyBar", "LazyTable", "TabBar", "fit"]
