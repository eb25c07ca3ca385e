"""A time limit for plugin rules: a rule that hangs is interrupted, named, and the evaluation goes on.

One daemon thread watches the evaluations that are running (in any thread) and raises
`RuleTimeout` inside one that has run past `RULE_TIME_LIMIT` seconds; the evaluation catches it
around the rule that was running, names it, and re-arms for the rules after it. Arming once per
evaluation keeps the cost out of the per-rule path. Code blocked inside C (a socket read,
`time.sleep`) is interrupted when it returns to Python.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time

RULE_TIME_LIMIT = float(os.environ.get("ZWXM_RULE_TIME_LIMIT", "2.0"))


class RuleTimeout(Exception):
    """Raised inside a rule that ran longer than the limit."""


_lock = threading.Lock()
_armed: dict[int, list] = {}  # thread id -> [deadline, fired]
_watcher: threading.Thread | None = None
_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)


def _watch() -> None:
    while True:
        time.sleep(min(0.05, RULE_TIME_LIMIT / 4))
        now = time.monotonic()
        with _lock:  # disarm takes the lock too, so an entry cannot be withdrawn between check and raise
            for thread_id, entry in list(_armed.items()):
                if not entry[1] and now > entry[0]:
                    entry[1] = True
                    _set_async_exc(thread_id, RuleTimeout)


def arm() -> int:
    """Start timing the rule about to run in this thread; returns the thread id for `disarm`."""
    global _watcher
    if _watcher is None:
        with _lock:
            if _watcher is None:
                _watcher = threading.Thread(target=_watch, name="zwxm-rule-watchdog", daemon=True)
                _watcher.start()
    thread_id = threading.get_ident()
    _armed[thread_id] = [time.monotonic() + RULE_TIME_LIMIT, False]
    return thread_id


class guard:
    """Arm for the duration of a `with` block, unless this thread is already armed (nesting)."""

    __slots__ = ("thread_id",)

    def __enter__(self) -> None:
        self.thread_id = None if threading.get_ident() in _armed else arm()

    def __exit__(self, *exc: object) -> None:
        if self.thread_id is not None:
            disarm(self.thread_id)


def disarm(thread_id: int) -> None:
    """Stop timing; a timeout fired too late to land inside the rule is withdrawn."""
    with _lock:
        entry = _armed.pop(thread_id, None)
        if entry is not None and entry[1]:
            _set_async_exc(thread_id, ctypes.py_object())  # NULL: clear a still-pending RuleTimeout
