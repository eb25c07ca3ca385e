"""Starting the TUI through the real `zwxm` command: a file that is no database gets one clear
line naming it and exit status 2, not a traceback and not a broken terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from tests import ZWXM


def test_a_file_that_is_not_a_database_is_named_and_refused(tmp_path):
    bad = tmp_path / "ledger.db"
    bad.write_text("项目编号,项目名称\nLH-1,测试\n", encoding="utf-8")
    main, terminal = pty.openpty()  # the UI starts only on a terminal
    result = subprocess.run([ZWXM, "--db", str(bad)], stdin=terminal, stdout=terminal, stderr=subprocess.PIPE,
                            text=True, timeout=60)
    os.close(terminal)
    os.set_blocking(main, False)
    try:
        shown = os.read(main, 65536)
    except (BlockingIOError, OSError):
        shown = b""
    os.close(main)
    assert result.returncode == 2
    assert str(bad) in result.stderr and "Traceback" not in result.stderr
    assert shown == b""


def test_outside_a_terminal_plain_zwxm_says_it_needs_one_and_creates_nothing(tmp_path):
    result = subprocess.run([ZWXM, "--db", str(tmp_path / "new.db")], capture_output=True, text=True,
                            timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and "需要在终端中运行" in result.stderr and result.stdout == ""
    assert not (tmp_path / "new.db").exists()


def test_start_up_leaves_heavy_modules_unimported():
    """Spreadsheet and pinyin libraries load only when an import, export or write needs them."""
    code = ("import sys, zwxm.cli, zwxm_tui.app, zwxm.store\n"
            "from zwxm_tui.screens import projects, detail\n"
            "print(' '.join(m for m in ('openpyxl', 'pypinyin') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
