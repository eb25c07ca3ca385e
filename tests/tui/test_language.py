"""Walk every screen, dialog and menu of the TUI in both languages and at both sizes, on demo data
from the installed districts, and fail on any internal key or boolean on screen (issue 14)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from zwxm import vocab
from zwxm.io.demo import create_demo
from zwxm.lifecycle import STAGES
from zwxm.plugins import get_registry
from zwxm.store import Store
from zwxm_tui.app import create_app
from zwxm_tui.screens.detail import DetailScreen
from zwxm_tui.widgets import ChoiceMenu

from .conftest import settle

_LINE = re.compile(r'<text[^>]*clip-path="url\(#[\w-]*-line-(\d+)\)"[^>]*>([^<]*)</text>')


def screen_text(app) -> str:
    """The characters on screen, line by line (from Textual's own screenshot)."""
    lines: dict[int, list[str]] = {}
    for number, text in _LINE.findall(app.export_screenshot()):
        lines.setdefault(int(number), []).append(html.unescape(text).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(lines.items()))


def vocabulary_keys(registry) -> set[str]:
    """Every key of every vocabulary the core and the installed plugins share."""
    keys = set(STAGES) | set(registry.event_types) | set(registry.districts)
    for name in dir(vocab):
        table = getattr(vocab, name)
        if name.isupper() and isinstance(table, dict):
            keys |= {k for k in table if isinstance(k, str)}
    for district in registry.districts.values():
        keys |= set(district.categories) | set(district.facts)
        keys |= {rule.key for rule in registry.rules_for(district.code)}
    return keys


def leaks(text: str, lang: str, keys: set[str]) -> list[str]:
    """Keys and booleans shown verbatim. In English a key that is also its own English label
    ("construction", "open") is fine; a snake_case or namespaced key never is, nor a district code."""
    found = re.findall(r"\b(True|False)\b", text)
    for key in keys:
        if lang == "en" and not ("_" in key or ":" in key or key.islower() and key in DISTRICT_CODES):
            continue
        if re.search(rf"(?<![\w:.\-/]){re.escape(key)}(?![\w:\-])", text):
            found.append(key)
    return found


DISTRICT_CODES: set[str] = set()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("walk") / "demo.db"
    with Store(path, get_registry()) as store:
        create_demo(store, count=40)
    return path


async def walk(pilot) -> list[tuple[str, str]]:
    """(where, text on screen) for each screen, dialog and menu an operator reaches with keys."""
    app = pilot.app
    seen: list[tuple[str, str]] = []

    async def look(where: str) -> None:
        await pilot.pause()
        seen.append((where, screen_text(app)))

    async def keys(*pressed: str, where: str = "") -> None:
        await pilot.press(*pressed)
        await pilot.pause()
        if where:
            await look(where)

    await settle(pilot)
    await look("list")
    await keys("slash", where="search mode")
    await keys("escape")
    app.screen.query_one("#stage").focus()
    await keys("enter", where="stage menu")
    assert isinstance(app.screen, ChoiceMenu)
    await keys("escape")
    app.screen.query_one("#projects").focus()
    await keys("ctrl+p", where="command palette")
    await keys("escape")
    await keys("enter", where="detail")
    assert isinstance(app.screen, DetailScreen)
    for tab in "1234567":
        await keys(tab, where=f"detail tab {tab}")
    await keys("5", "a", where="article")
    await keys("escape")
    await keys("e", where="record form")
    await keys("enter", where="event type menu")
    await keys("escape", "escape")
    await keys("c", where="change form")
    await keys("escape")
    await keys("m", where="edit form")
    app.screen.query_one("#category").focus()
    await keys("enter", where="category menu")
    await keys("escape", "escape")
    await keys("p", where="compare")
    await keys("escape", "escape")
    await keys("n", where="new project form")
    await keys("escape")
    for key, where in (("d", "deadlines"), ("r", "rules"), ("f1", "help")):
        await keys(key, where=where)
        await keys("escape")
    await keys("i", where="import")
    await pilot.press(*"nofile.csv", "enter")
    await look("import error")
    await keys("escape")
    await keys("x")
    await pilot.press("ctrl+a", *"out.txt", "enter")
    await look("export error")
    await keys("escape")
    return seen


@pytest.mark.parametrize("size", [(160, 45), (80, 24)], ids=["160x45", "80x24"])
@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_screen_speaks_the_operators_language(demo_db, lang, size, tmp_path):
    registry = get_registry()
    DISTRICT_CODES.update(registry.districts)
    keys = vocabulary_keys(registry)
    app = create_app(demo_db, lang, registry=registry, settings_path=tmp_path / "tui.json")
    async with app.run_test(size=size) as pilot:
        seen = await walk(pilot)
    assert len(seen) >= 25
    problems = {where: found for where, text in seen if (found := leaks(text, lang, keys))}
    assert not problems, "\n".join(f"{where}: {found}\n{dict(seen)[where]}" for where, found in problems.items())
    if lang == "zh":
        assert "Search for commands" not in dict(seen)["command palette"]
        assert "搜索命令" in dict(seen)["command palette"]
    else:
        assert "搜索命令" not in dict(seen)["command palette"]
        assert not re.search(r"[退帮助]", dict(seen)["list"].splitlines()[-1])  # the key bar is in English


def test_the_leak_check_catches_keys_and_booleans():
    keys = {"integration", "ex_ante_assessment", "luohu", "construction"}
    DISTRICT_CODES.add("luohu")
    assert leaks("类别 integration", "zh", keys) == ["integration"]
    assert sorted(leaks("缺少“ex_ante_assessment” 涉密 True", "zh", keys)) == ["True", "ex_ante_assessment"]
    assert leaks("地区 luohu", "en", keys) == ["luohu"]
    assert leaks("Kind construction", "en", keys) == []  # the English label of construction is "construction"
    assert leaks("类别 系统集成 · LH-2022-0017 · zwxm-export.xlsx", "zh", keys) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_empty_database_offer_speaks_the_operators_language(lang, tmp_path):
    from zwxm_tui.screens.empty import EmptyScreen

    registry = get_registry()
    DISTRICT_CODES.update(registry.districts)
    app = create_app(tmp_path / "empty.db", lang, registry=registry, settings_path=tmp_path / "tui.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, EmptyScreen)
        text = screen_text(app)
    assert not leaks(text, lang, vocabulary_keys(registry)), text
    assert ("载入演示数据" in text) == (lang == "zh") and ("Load demo data" in text) == (lang == "en")
