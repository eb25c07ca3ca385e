"""Plugin code runs under watch: a time limit per rule (and per registration), and stdout kept clean.

One daemon thread watches the threads running plugin code and raises `RuleTimeout` inside one whose
current rule has run past its limit. Each rule restarts the clock (`Timer.started`, one attribute
store per rule), so a slow first rule (a cold calendar, a loaded machine) never eats the allowance
of the rules after it. `RuleTimeout` is a `BaseException`, so a rule's `except Exception` cannot
swallow it, and it is raised again at every tick while the same rule keeps running, so a rule that
catches it once and carries on is stopped at the next tick.

Limits: code blocked inside C (`time.sleep`, a socket read) is interrupted only when it returns to
Python, so the evaluation reports the time it really took (`Timer.elapsed`); a rule that catches
every exception (a bare `except:`) inside an endless loop cannot be stopped from inside the process.

While plugin code runs, `sys.stdout` points at `sys.stderr`: a `print()` in a rule is shown to the
operator but never mixes into output another program reads (`zwxm evaluate --json`).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from typing import TextIO

from .settings import number_setting

# Seconds per rule; importing a plugin and calling its registration hooks, per plugin (an import may
# be slow). A bad setting means the default here; `zwxm` refuses to start with it (zwxm.settings).
RULE_TIME_LIMIT = number_setting("ZWXM_RULE_TIME_LIMIT")[0]
REGISTRATION_TIME_LIMIT = number_setting("ZWXM_REGISTRATION_TIME_LIMIT")[0]


class RuleTimeout(BaseException):
    """Raised inside plugin code that ran longer than its limit (a BaseException: `except Exception`
    in a rule does not catch it)."""


IDLE = float("inf")  # Timer.started between rules: the core's own code is never timed


class Timer:
    """One thread's watch: when the current rule started (IDLE between rules), its limit, and the
    start the watchdog last fired for."""

    __slots__ = ("thread_id", "limit", "started", "fired_for")

    def __init__(self, limit: float, running: bool) -> None:
        self.thread_id = threading.get_ident()
        self.limit = limit
        self.started = time.monotonic() if running else IDLE
        self.fired_for = -1.0

    def elapsed(self) -> float:
        return time.monotonic() - self.started


_lock = threading.Lock()
_armed: dict[int, Timer] = {}  # thread id -> its timer
_watcher: threading.Thread | None = None
_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_real_stdout: TextIO | None = None
_diverted = 0  # threads running plugin code; stdout is diverted while there is one


def _watch() -> None:
    while True:
        time.sleep(min(0.05, RULE_TIME_LIMIT / 4))
        now = time.monotonic()
        with _lock:  # settle and disarm take the lock too, so a timer cannot change between check and raise
            for timer in _armed.values():
                if now - timer.started > timer.limit:
                    timer.fired_for = timer.started
                    _set_async_exc(timer.thread_id, RuleTimeout)  # again at every tick while the rule runs on


def _forget_after_fork() -> None:
    """A forked child has no watcher thread (threads do not survive fork): it starts its own when armed."""
    global _watcher, _lock, _diverted, _real_stdout
    _watcher, _lock = None, threading.Lock()
    _armed.clear()
    if _real_stdout is not None:  # forked while plugin code ran in another thread: the child starts clean
        sys.stdout = _real_stdout
    _diverted, _real_stdout = 0, None


os.register_at_fork(after_in_child=_forget_after_fork)


def _start_watcher() -> None:
    global _watcher
    if _watcher is None:
        with _lock:
            if _watcher is None:
                _watcher = threading.Thread(target=_watch, name="zwxm-rule-watchdog", daemon=True)
                _watcher.start()


def settle(timer: Timer) -> None:
    """After a timeout was caught: withdraw shots still pending and stop the clock until the next rule."""
    while True:
        try:
            with _lock:
                timer.started = IDLE
                _set_async_exc(timer.thread_id, ctypes.py_object())  # NULL: clear a pending RuleTimeout
            return
        except RuleTimeout:  # a shot that landed while taking the lock: settle once more
            continue


class guard:
    """Watch this thread for the duration of a `with` block (unless it is already watched: nesting).

    `as` gives the Timer. By default it is idle until its `started` is set (before each rule: see
    evaluation.py); with a `limit` it runs from the start (registration: importing a plugin and calling its hooks)."""

    __slots__ = ("timer", "outer", "limit")

    def __init__(self, limit: float | None = None) -> None:
        self.limit = limit

    def __enter__(self) -> Timer:
        outer = _armed.get(threading.get_ident())
        self.outer = outer is not None
        if outer is not None:
            self.timer = outer
            return outer
        if _watcher is None:
            _start_watcher()
        self.timer = timer = Timer(RULE_TIME_LIMIT if self.limit is None else self.limit, self.limit is not None)
        with _lock:
            _divert_stdout(+1)
            _armed[timer.thread_id] = timer
        return timer

    def __exit__(self, *exc: object) -> None:
        if self.outer:
            return
        timer = self.timer
        while True:
            try:
                with _lock:
                    if _armed.pop(timer.thread_id, None) is not None:
                        if timer.fired_for >= 0:
                            _set_async_exc(timer.thread_id, ctypes.py_object())  # withdraw a shot that came too late
                        _divert_stdout(-1)
                break
            except RuleTimeout:
                continue


def _divert_stdout(step: int) -> None:
    """Point sys.stdout at sys.stderr while any thread runs plugin code; restore it after the last.
    Called with `_lock` held."""
    global _diverted, _real_stdout
    if step > 0 and _diverted == 0:
        _real_stdout = sys.stdout
        if sys.stderr is not None:
            sys.stdout = sys.stderr
    _diverted += step
    if step < 0 and _diverted == 0:
        if _real_stdout is not None:
            sys.stdout = _real_stdout
        _real_stdout = None
