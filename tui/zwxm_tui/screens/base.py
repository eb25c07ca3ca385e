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


class LocalizedMixin:
    @property
    def zapp(self) -> ZwxmApp:
        return self.app  # type: ignore[return-value]

    @property
    def lang(self) -> str:
        return self.app.lang  # type: ignore[attr-defined]

    def t(self, key: str, **values: object) -> str:
        return tr(key, self.lang, **values)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """In read-only mode the keys that would change the database are hidden and do nothing."""
        from ..app import WRITE_ACTIONS

        return not (action in WRITE_ACTIONS and getattr(self.app, "read_only", False))


class ZwxmScreen(LocalizedMixin, Screen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localize(self)


class ZwxmModal(LocalizedMixin, ModalScreen):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        localize(self)
