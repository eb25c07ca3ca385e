"""Widgets of the TUI."""

from .lazy_table import Column, LazyTable, fit

__all__ = ["Column", "LazyTable", "fit"]
