"""What a screen may ask of the app, as a Protocol: screens import this small module, never
`app.py`, so imports run one way (app -> screens -> host)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from zwxm.plugins import Registry
    from zwxm.store import Store


# The actions that change the database: hidden and refused in read-only mode.
WRITE_ACTIONS = frozenset({"new_project", "record", "change", "edit", "import_file"})


class Host(Protocol):
    store: Store
    registry: Registry
    lang: str
    read_only: bool

    @property
    def today(self) -> dt.date: ...

    def open_project(self, code: str) -> None: ...

    def unreadable(self, code: str) -> bool: ...

    def painted(self, what: str) -> None: ...

    def open_store(self) -> Store: ...
