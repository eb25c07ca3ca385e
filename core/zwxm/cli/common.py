"""What the zwxm commands share: choices that take a key or a label, `-` for standard input or
output, JSON output, a progress line with an honest remaining time, the database opened as every
command opens it, date options and lines in the language of --lang."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import click

from ..vocab import Label, key_for, listing
from .output import echo, fail

STDIO = "-"  # as a file name: standard input (evaluate, compare, import) or standard output (export)
# `--read-only` given in the environment: how `zwxm serve --tui` starts every visitor's TUI read-only.
READ_ONLY_ENV = "ZWXM_READ_ONLY"


# --- Choices from a vocabulary ------------------------------------------------------------------


class VocabularyChoice(click.ParamType):
    """A value from a vocabulary, given as its key or its Chinese or English label; the key is kept.

    The vocabulary is a callable so that plugin vocabularies (event types, districts) load only when
    a command or its help needs them, not when `zwxm` starts."""

    name = "choice"

    def __init__(self, metavar: str, what: Label, vocabulary: Callable[[], Mapping[str, Label]]):
        self.metavar = metavar
        self.what = what
        self.vocabulary = vocabulary

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return self.metavar

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        vocabulary = self.vocabulary()
        key = key_for(vocabulary, str(value))
        if key is None:
            zh, en = self.what
            self.fail(f"{value!r}: 未知的{zh} / unknown {en}; 可选 / one of: {listing(vocabulary)}", param, ctx)
        return key


class ListsValues(click.Command):
    """A command whose --help ends with every value each vocabulary argument or option accepts."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        for param in self.params:
            if isinstance(param.type, VocabularyChoice):
                zh, en = param.type.what
                with formatter.section(f"{param.type.metavar}: {zh} / {en}（键或中英文名称均可 / key or label）"):
                    formatter.write_dl([(key, f"{names[0]} / {names[1]}")
                                        for key, names in param.type.vocabulary().items()])


def stages() -> Mapping[str, Label]:
    from ..lifecycle import STAGES

    return STAGES


def kinds() -> Mapping[str, Label]:
    from ..vocab import KINDS

    return KINDS


def _registry():
    from ..plugins import get_registry

    return get_registry()


def event_types() -> Mapping[str, Label]:
    return {key: (t.label, t.label_en) for key, t in _registry().event_types.items()}


def districts() -> Mapping[str, Label]:
    return {code: (d.name, d.name_en) for code, d in sorted(_registry().districts.items())}


STAGE = VocabularyChoice("STAGE", ("阶段", "stage"), stages)
KIND = VocabularyChoice("KIND", ("项目类型", "kind"), kinds)
EVENT_TYPE = VocabularyChoice("EVENT_TYPE", ("事件类型", "event type"), event_types)
DISTRICT = VocabularyChoice("DISTRICT", ("地区", "district"), districts)


# --- Output ---------------------------------------------------------------------------------


def dump_json(data: Any) -> None:
    """JSON on standard output: UTF-8, dates as ISO text, control characters escaped (zwxm.escape)."""
    from ..escape import terminal_json

    click.echo(terminal_json(data))


def stdin_file(suffix: str = "") -> Path:
    """Standard input copied to a temporary file (readers that pass over their input twice need one);
    deleted when the process ends."""
    handle = tempfile.NamedTemporaryFile(prefix="zwxm-stdin-", suffix=suffix, delete=False)
    with handle:
        while chunk := sys.stdin.buffer.read(1 << 20):
            handle.write(chunk)
    path = Path(handle.name)
    import atexit

    atexit.register(path.unlink, missing_ok=True)
    return path


# --- Progress -------------------------------------------------------------------------------


class RemainingTime:
    """The remaining time of `total` items, from the recent rate and its trend.

    An import slows down as it goes (a growing file; rules that compare a project with the others of
    its unit do more work as the unit grows), so neither the rate since the start nor the recent
    rate alone will do: both promise too little. The time per item is measured over the last
    `window` seconds and over the window before it; when it grows, it is taken to keep growing at
    that pace over the items left (a line through the two), and the remaining time is that line
    summed over them. When it does not grow, the recent rate alone counts. Until `min_seconds` of
    measurements there is no estimate (None) rather than a guess."""

    def __init__(self, total: int, window: float = 15.0, min_seconds: float = 1.0,
                 clock: Callable[[], float] = time.monotonic):
        self.total = total
        self.done = 0
        self.window = window
        self.min_seconds = min_seconds
        self.clock = clock
        self.samples: list[tuple[float, int]] = [(clock(), 0)]
        self.latest = self.samples[0]

    def update(self, count: int) -> None:
        self.done += count
        self.latest = (self.clock(), self.done)
        if self.latest[0] - self.samples[-1][0] >= 0.1:  # a point each tenth of a second is plenty
            self.samples.append(self.latest)

    def seconds(self) -> float | None:
        if self.done >= self.total:
            return 0.0
        points = self.samples + ([self.latest] if self.latest != self.samples[-1] else [])
        start, now = points[0][0], points[-1][0]
        if now - start < self.min_seconds or self.done == 0:
            return None
        span = min(self.window, (now - start) / 2)
        recent = _pace(points, now - span, now)
        if recent is None:
            return None
        per_item, middle = recent
        growth = 0.0
        earlier = _pace(points, now - 2 * span, now - span)
        if earlier is not None and middle > earlier[1]:
            growth = max(0.0, (per_item - earlier[0]) / (middle - earlier[1]))
        left = self.total - self.done
        return left * per_item + growth * ((self.total - middle) ** 2 - (self.done - middle) ** 2) / 2


def _pace(points: list[tuple[float, int]], since: float, until: float) -> tuple[float, float] | None:
    """Seconds per item between two moments, and the item count halfway: from the last point at or
    before `since` to the last point at or before `until`."""
    first = next((p for p in reversed(points) if p[0] <= since), points[0])
    last = next((p for p in reversed(points) if p[0] <= until), None)
    if last is None or last[1] <= first[1]:
        return None
    return (last[0] - first[0]) / (last[1] - first[1]), (first[1] + last[1]) / 2


def duration_text(seconds: float, lang: str) -> str:
    seconds = round(seconds)
    minutes, secs = divmod(seconds, 60)
    if lang == "en":
        return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
    return f"{minutes} 分 {secs:02d} 秒" if minutes else f"{secs} 秒"


class Progress:
    """One progress line on standard error when it is a terminal (nothing in a pipe or a log):
    label, percentage, count and the remaining time of `RemainingTime`."""

    def __init__(self, label: Label, total: int, lang: str, stream: IO[str] | None = None):
        self.label = label[1] if lang == "en" else label[0]
        self.lang = lang
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty() and total > 0
        self.estimate = RemainingTime(total)
        self.last_draw = time.monotonic()
        if self.shown:  # at once: the total is known, the work begins
            self.draw()

    def update(self, count: int) -> None:
        self.estimate.update(count)
        now = time.monotonic()
        if self.shown and (now - self.last_draw >= 0.2 or self.estimate.done >= self.estimate.total):
            self.last_draw = now
            self.draw()

    def draw(self) -> None:
        done, total = self.estimate.done, self.estimate.total
        seconds = self.estimate.seconds()
        en = self.lang == "en"
        if seconds is None:
            left = "estimating…" if en else "正在估算剩余时间…"
        else:
            left = f"about {duration_text(seconds, 'en')} left" if en else f"剩余约 {duration_text(seconds, 'zh')}"
        self.stream.write(f"\r{self.label} {done * 100 // total:3d}% {done}/{total} · {left}\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- The database and messages, as every command opens and says them -------------------------------


@contextlib.contextmanager
def command_store(ctx: click.Context, writes: tuple[str, str] | None = None) -> Iterator[Any]:
    """The Store of the global --db path, in the name of --actor, read-only under --read-only; bad files,
    plugin conflicts, a full disk or an unwritable file become one line naming the file, not a traceback.
    `writes` names what a writing command does, so that --read-only refuses it before anything is opened."""
    from ..files import file_problem
    from ..model import Problem
    from ..plugins import RegistryError
    from ..store import SchemaError, Store, open_failure, resolve_db_path

    options = ctx.obj or {}
    read_only = bool(options.get("read_only"))
    if writes and read_only:
        fail([Problem("--read-only", None, f"只读模式：不能{writes[0]}", f"read-only mode: cannot {writes[1]}")])
    path = resolve_db_path(options.get("db"))
    try:
        store = Store(path, actor=options.get("actor"), read_only=read_only)
    except (SchemaError, RegistryError) as exc:
        fail([exc])
    except (OSError, sqlite3.Error) as exc:
        fail([open_failure(path, exc)])
    for name, sql in store.repaired.items():  # said before anything else happens; `zwxm verify` keeps naming it
        state, state_en = ("缺失", "missing") if sql is None else ("被改动", "altered")
        echo(f"警告：触发器 {name} {state}，已恢复并记入日志 / warning: trigger {name} was {state_en}; restored "
             f"and logged (see `zwxm verify`)", err=True)
    try:
        yield store
    except sqlite3.Error as exc:
        fail([open_failure(path, exc)])
    except OSError as exc:
        fail([file_problem(exc)])
    finally:
        with contextlib.suppress(sqlite3.Error):
            store.close()


def say(ctx: click.Context, zh: str, en: str, err: bool = False) -> None:
    """A line in the language of --lang."""
    echo(en if ctx.obj and ctx.obj.get("lang") == "en" else zh, err=err)


def parse_day(value: str, field: str) -> dt.date:
    """A date option; a bad one is named with its reason, exit 2."""
    from ..errors import ValueProblem
    from ..model import Problem, parse_date

    try:
        return parse_date(value)
    except ValueProblem as exc:
        fail([Problem(field, value, f"{exc.message}，应为 YYYY-MM-DD", f"{exc.message_en}, expected YYYY-MM-DD")])


def lang_of(ctx: click.Context) -> str:
    """The language --lang chose."""
    return ctx.obj.get("lang", "zh") if ctx.obj else "zh"
