"""The core and the plugins stay headless: importing them never loads Textual."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_core_and_plugins_do_not_load_textual():
    code = (
        "import importlib, pkgutil, sys, zwxm\n"
        "from zwxm.plugins import get_registry\n"
        "for m in pkgutil.walk_packages(zwxm.__path__, 'zwxm.'):\n"
        "    if m.name not in ('zwxm.__main__', 'zwxm.testing.pytest_plugin'):\n"
        "        importlib.import_module(m.name)\n"
        "registry = get_registry()\n"
        "assert not registry.problems, registry.problems\n"
        "loaded = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'zwxm_tui'))\n"
        "print(len(registry.districts), loaded)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]"), out


def test_import_linter_contract():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), str(ROOT / "pyproject.toml")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compatibility_aliases_keep_the_documented_names():
    """Scripts written against the 0.1 docs keep working: `zwxm.storage` and `zwxm.importing` re-export."""
    from zwxm import importing, storage, store
    from zwxm.io import importer

    assert storage.connect is store.connect and storage.Store is store.Store
    assert importing.HEADERS is importer.HEADERS and importing.import_file is importer.import_file


def test_tui_registers_its_launcher_for_the_core():
    """The core finds the TUI through the `zwxm.ui` entry point group instead of importing it."""
    import importlib.metadata

    from zwxm_tui.app import run

    (entry,) = [e for e in importlib.metadata.entry_points(group="zwxm.ui") if e.name == "tui"]
    assert entry.load() is run


def test_without_a_ui_installed_zwxm_says_so(tmp_path):
    """An install with only the core (its modules, click and pluggy on the path; no `zwxm.ui` entry point)."""
    import click
    import pluggy

    for module in (click, pluggy):
        (tmp_path / module.__name__).symlink_to(Path(module.__file__).parent)
    (tmp_path / "zwxm").symlink_to(ROOT / "core" / "zwxm")
    code = f"import sys; sys.path[:0] = [{str(tmp_path)!r}]; from zwxm.cli import main; sys.argv = ['zwxm']; main()"
    result = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True,
                            stdin=subprocess.DEVNULL, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "未安装用户界面" in result.stderr and "no user interface is installed" in result.stderr
    assert "Traceback" not in result.stderr
