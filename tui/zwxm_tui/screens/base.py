"""What every screen shares: the app's language, translated key descriptions, plugin-error notices."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from textual.binding import BindingsMap
from textual.screen import ModalScreen, Screen

from ..i18n import UI, tr

if TYPE_CHECKING:
    from ..app import ZwxmApp


def localize(node: Screen) -> None:
    """Replace binding descriptions that are UI keys ("k_open") with their text in the app's language."""
    lang = node.app.lang
    node._bindings = BindingsMap.from_keys({
        key: [dataclasses.replace(b, description=tr(b.description, lang)) if b.description in UI else b
              for b in bindings]
        for key, bindings in node._bindings.key_to_bindings.items()
    })


# Actions that write to the database: `zwxm --read-only` hides and refuses them on every screen.
WRITING_ACTIONS = frozenset({"record", "change", "edit", "new_project", "import_file", "actor"})


def writes(callback: object, read_only: bool) -> bool:
    """Whether a palette command's callback (an action method) writes, in a read-only session."""
    return read_only and getattr(callback, "__name__", "").removeprefix("action_") in WRITING_ACTIONS


class LocalizedMixin:
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No writing action in a read-only session (the key bar hides them too)."""
        return not (action in WRITING_ACTIONS and self.app.store.read_only)  # type: ignore[attr-defined]

    @property
    def zapp(self) -> ZwxmApp:
        return self.app  # type: ignore[return-value]

    @property
    def lang(self) -> str:
        return self.app.lang  # type: ignore[attr-defined]

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)


class ZwxmScreen(LocalizedMixin, Screen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localize(self)


class ZwxmModal(LocalizedMixin, ModalScreen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localize(self)
