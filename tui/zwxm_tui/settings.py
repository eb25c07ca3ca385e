"""The TUI's settings file (language), in the user's config directory. Unreadable settings are
ignored rather than stopping the UI: they only hold preferences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")


def default_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("zwxm")) / "tui.json"


def load(path: Path | None) -> dict[str, Any]:
    if path is None or not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("lang") not in (None, *LANGUAGES):
        return {}
    return data


def save(path: Path, values: dict[str, Any]) -> None:
    data = load(path) | values
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    except OSError:
        pass  # a read-only config directory must not break the UI
