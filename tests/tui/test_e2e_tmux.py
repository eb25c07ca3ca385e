"""End to end: the real `zwxm` in a real terminal (tmux), keys sent, screen read, event stored."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from tests import ZWXM
from zwxm.model import Project
from zwxm.store import Store

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (apt-get install tmux)")


class Terminal:
    """One tmux session running one command; `wait_for` polls the visible screen."""

    def __init__(self, name: str, command: list[str], env: dict[str, str]):
        self.name = name
        # pytest-xdist workers export COLUMNS=80 and LINES=24, which Textual obeys over the pane's size
        self.env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
        subprocess.run([TMUX, "new-session", "-d", "-s", name, "-x", "140", "-y", "40", *command],
                       check=True, env=self.env)

    def screen(self) -> str:
        return subprocess.run([TMUX, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True,
                              env=self.env).stdout

    def keys(self, *keys: str, literal: bool = False) -> None:
        subprocess.run([TMUX, "send-keys", "-t", self.name, *(["-l"] if literal else []), *keys], check=True,
                       env=self.env)

    def wait_for(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} did not appear; screen:\n{self.screen()}")

    def alive(self) -> bool:
        return subprocess.run([TMUX, "has-session", "-t", self.name], capture_output=True, env=self.env).returncode == 0

    def close(self) -> None:
        if self.alive():
            subprocess.run([TMUX, "kill-session", "-t", self.name], capture_output=True, env=self.env)


def test_record_an_event_in_a_real_terminal(tmp_path):
    db = tmp_path / "e2e.db"
    with Store(db) as store:
        store.save_project(Project(code="E2E-001", name="端到端测试平台", district="luohu", kind="construction",
                                   investment=1_200_000, funding="department_budget", owner_unit="区档案馆"))
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG", "TMUX")}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"), TERM="xterm-256color",
               TMUX_TMPDIR=str(tmp_path), LANG="C.UTF-8")
    terminal = Terminal(f"zwxm-e2e-{os.getpid()}", [ZWXM, "--db", str(db)], env)
    try:
        terminal.wait_for("E2E-001")
        terminal.keys("Enter")
        terminal.wait_for("《")  # the detail screen names the regulation
        terminal.keys("e")
        terminal.wait_for("日期（YYYY-MM-DD）")
        terminal.keys("Tab", "Tab")  # from the event type (the first field has the keyboard) past the date
        terminal.keys("e2e note", literal=True)
        terminal.wait_for("e2e note")
        terminal.keys("BTab", "BTab")  # back to the event type
        terminal.keys("Enter")  # open the event type list
        screen = terminal.wait_for("技术论证通过")
        assert "初审通过" in screen and "合同备案" in screen  # whole over the form (issue 14)
        terminal.keys("Down", "Enter")  # below the blank prompt: the first type, 已申报 (declared)
        terminal.wait_for("下一项")  # the menu closed: the form's keys are back in the bar
        terminal.keys("C-s")  # save: the form's own key, whatever has the keyboard
        screen = terminal.wait_for("已记录")
        assert "E2E-001" in screen
        terminal.keys("C-q")
        deadline = time.monotonic() + 10
        while terminal.alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not terminal.alive()
    finally:
        terminal.close()
    events = Store(db).project("E2E-001").events
    assert [(e.type, e.note) for e in events] == [("declared", "e2e note")]
