"""A command run with its standard error on a pseudo-terminal, as an operator sees it: zwxm draws its
progress line only on a terminal. Shared by tests/test_cli_scripting.py and bench/bench_progress.py."""

from __future__ import annotations

import os
import pty
import subprocess
import time
from pathlib import Path


def stderr_on_a_terminal(command: list[str], *, cwd: Path, env: dict[str, str] | None = None,
                         timeout: float | None = None) -> tuple[int, float, list[tuple[float, bytes]]]:
    """(exit status, wall seconds, [(seconds since the start, bytes shown)]) of `command`."""
    main, secondary = pty.openpty()
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=secondary, stdin=subprocess.DEVNULL,
                               env=env, cwd=cwd)
    os.close(secondary)
    shown = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO once the command has exited and the terminal has no writer left
            break
        if not chunk:
            break
        shown.append((time.monotonic() - started, chunk))
    os.close(main)
    status = process.wait(timeout=timeout)
    return status, time.monotonic() - started, shown
