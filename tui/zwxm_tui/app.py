"""The app: opens the store, holds the language and the registry, and starts on the project list.

`create_app` is the factory tests and snapshots use; `run` is what `zwxm` with no arguments calls.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding

from . import settings
from .format import markup_text, visible
from .i18n import problem_text, tr

if TYPE_CHECKING:
    from textual.screen import Screen

    from zwxm.plugins import Registry
    from zwxm.store import Store

READY_FILE_ENV = "ZWXM_TUI_READY_FILE"  # the benchmark's probe: the time of the first painted list
# Set by `zwxm serve --tui` for every visitor's app process (docs/tui.md): imports and exports only
# inside ZWXM_FILES_DIR. (Its read-only switch, ZWXM_READ_ONLY, is `--read-only` read by the CLI.)


class ZwxmApp(App):
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]  # the filter row shares 80 columns differently
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # dialogs drop their padding on 24 lines
    BINDINGS = [
        Binding("f1", "help", "k_help"),
        Binding("question_mark", "help", show=False),
        Binding("ctrl+d", "deadlines", "k_deadlines", show=False),
        Binding("ctrl+r", "rules", "k_rules", show=False),
        Binding("f2", "toggle_language", "k_lang"),
        Binding("ctrl+u", "actor", "k_actor", show=False),  # who writes (issue 13 §2)
        Binding("ctrl+q", "quit", "k_quit", priority=True),
    ]

    def __init__(self, store: Store, lang: str = "zh", registry: Registry | None = None,
                 settings_path: Path | None = None, as_of: dt.date | None = None, files_dir: Path | None = None):
        super().__init__()
        from zwxm.plugins import get_registry

        self.store = store
        self.lang = lang
        self.registry = registry or get_registry()
        self.settings_path = settings_path
        self.as_of = as_of  # evaluate "as of" this day instead of today (like `zwxm evaluate --as-of`)
        self.read_only = store.read_only  # a read-only store: SQLite itself refuses any write (mode=ro, query_only)
        self.files_dir = files_dir.resolve() if files_dir is not None else None
        self.painted_hook: Callable[[str], None] | None = None  # the benchmark's latency probe
        self._ready_file = os.environ.get(READY_FILE_ENV)
        self._warmed = False
        self._titles()

    def on_mount(self) -> None:
        from .screens.projects import ProjectsScreen

        self.push_screen(ProjectsScreen())
        for problem in self.registry.problems:
            self.notify(markup_text(problem_text(problem, self.lang)), severity="error", timeout=15)

    def open_store(self) -> Store:
        """Another connection to the same file, as this session's actor, read-only if this one is (for workers)."""
        from zwxm.store import Store

        return Store(self.store.path, self.registry, actor=self.store.actor, read_only=self.store.read_only)

    def set_actor(self, name: str) -> None:
        """The name recorded with this session's writes (issue 13 §2), remembered in the settings file."""
        self.store.set_actor(name)
        if self.settings_path is not None:
            settings.save(self.settings_path, {"actor": self.store.actor})
        self.notify(tr("actor_set", self.lang, actor=self.store.actor))

    def action_actor(self) -> None:
        from .screens.actor import ActorScreen

        if not self.writes_refused():
            self.push_screen(ActorScreen(), lambda name: self.set_actor(name) if name else None)

    def _titles(self) -> None:
        self.title = tr("app_title", self.lang)
        self.sub_title = visible(self.store.path.name) + (f" · {tr('read_only', self.lang)}" if self.read_only else "")

    # read-only mode and the files folder ----------------------------------------------------
    def writes_refused(self) -> bool:
        """True (and says so) when the app is read-only: every action that writes asks first."""
        if self.read_only:
            self.notify(tr("read_only_refused", self.lang), severity="warning")
        return self.read_only

    def unreadable(self, code: str) -> bool:
        """True (and says which value) when the stored project cannot be read — a row edited outside
        zwxm: its screens are not opened on it, instead of the app stopping with a traceback."""
        from zwxm.model import InputError
        from zwxm.vocab import pick

        try:
            self.store.project(code)
        except InputError as exc:
            self.notify(markup_text("\n".join(f"{p.field}: {p.value!r}: {pick(self.lang, p.message, p.message_en)}"
                                              for p in exc.problems)), severity="error", timeout=15)
            return True
        return False

    def file_path(self, raw: str) -> Path | None:
        """The path typed for an import or export: relative to the files folder and inside it when
        there is one (None when it points outside); as typed otherwise."""
        from zwxm.files import confine
        from zwxm.model import InputError

        if self.files_dir is None:
            return Path(raw).expanduser()
        try:
            return confine(raw, self.files_dir)
        except InputError:
            return None

    @property
    def today(self) -> dt.date:
        return self.as_of or dt.date.today()

    # probes ---------------------------------------------------------------------------------
    def painted(self, what: str) -> None:
        """Called after a screen's data is on screen (via call_after_refresh): feeds the probes."""
        if self.painted_hook is not None:
            self.painted_hook(what)
        if self._ready_file and what == "list":
            # wall-clock time, and the CPU time the process had used (a figure a busy machine does not inflate)
            Path(self._ready_file).write_text(f"{time.time():.6f} {time.process_time():.6f}\n", encoding="utf-8")
            self._ready_file = None
        if what == "list" and not self._warmed:
            self._warmed = True
            self.warm_up()

    @work(thread=True, exclusive=True, group="warm-up")
    def warm_up(self) -> None:
        """Build the legal calendar (holiday tables) off the UI thread after the first paint, so the
        first project opened is as quick as the others."""
        from zwxm.calendar import default_calendar

        default_calendar()

    # language -------------------------------------------------------------------------------
    def action_toggle_language(self) -> None:
        """Switch Chinese/English, remember it, and rebuild the list in the new language, keeping
        its search, filters and sort (the screens above it are closed)."""
        from .screens.projects import ProjectsScreen

        self.lang = "en" if self.lang == "zh" else "zh"
        self._titles()
        if self.settings_path is not None and not self.read_only:
            settings.save(self.settings_path, {"lang": self.lang})
        while len(self.screen_stack) > 2:
            self.pop_screen()
        previous = self.screen
        self.switch_screen(ProjectsScreen(getattr(previous, "query_state", None)))
        self.notify(tr("language_switched", self.lang))

    # actions reachable from every screen ----------------------------------------------------
    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_deadlines(self) -> None:
        from .screens.deadlines import DeadlinesScreen

        self.push_screen(DeadlinesScreen())

    def action_rules(self) -> None:
        from .screens.rules import RulesScreen

        self.push_screen(RulesScreen())

    def open_project(self, code: str) -> None:
        from .screens.detail import DetailScreen

        self.push_screen(DetailScreen(code))  # which names an unreadable project and closes again

    def action_command_palette(self) -> None:
        """Textual's palette, with its prompt in the app's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=tr("palette_placeholder", self.lang), id="--command-palette"))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette: every action of the app and of the screen, in the app's language,
        each with its key as the help line."""
        from .screens.base import command

        yield command(self.lang, "deadlines", "Ctrl+D", self.action_deadlines)
        yield command(self.lang, "rules", "Ctrl+R", self.action_rules)
        yield command(self.lang, "help", "F1", self.action_help)
        yield command(self.lang, "language", "F2", self.action_toggle_language)
        if not self.read_only:
            yield command(self.lang, "actor", "Ctrl+U", self.action_actor, tr("actor_help", self.lang))
        yield from getattr(screen, "palette_commands", lambda: ())()
        yield command(self.lang, "k_quit", "Ctrl+Q", self.exit)


def create_app(db_path: str | Path | None = None, lang: str | None = "zh", registry: Registry | None = None,
               settings_path: Path | None = None, as_of: dt.date | None = None, read_only: bool = False,
               files_dir: Path | None = None, actor: str | None = None) -> ZwxmApp:
    """The app on the database at `db_path` (resolved like every zwxm command: path > ZWXM_DB > default).

    `read_only` opens the file read-only (SQLite mode=ro). `actor` (from --actor or ZWXM_ACTOR) names who
    writes; without it, the name saved in the settings, else the OS user."""
    from zwxm.store import Store

    saved = settings.load(settings_path) if settings_path else {}
    if lang is None:
        lang = saved.get("lang", "zh")
    store = Store(db_path, registry=registry, actor=actor or saved.get("actor"), read_only=read_only)
    return ZwxmApp(store, lang, registry, settings_path, as_of, files_dir)


def run(db_path: str | None = None, lang: str | None = "zh", *, actor: str | None = None,
        read_only: bool = False) -> None:
    """Open the TUI; a database that cannot be opened is reported in one line, not a traceback.
    `read_only` comes from `zwxm --read-only` or its environment form ZWXM_READ_ONLY (`zwxm serve --tui`)."""
    from zwxm.store import SchemaError

    path = settings.default_path()
    if lang is None:
        lang = settings.load(path).get("lang", "zh")
    from zwxm.cli.serve import FILES_DIR_ENV

    files = os.environ.get(FILES_DIR_ENV)
    try:
        app = create_app(db_path, lang, settings_path=path, read_only=read_only,
                         files_dir=Path(files) if files else None, actor=actor)
    except SchemaError as exc:
        print(str(exc), file=sys.stderr)
        sys.exit(2)
    except OSError as exc:
        print(f"无法打开数据库 / cannot open the database: {db_path or ''}: {exc}", file=sys.stderr)
        sys.exit(2)
    for name, sql in app.store.repaired.items():
        print(f"警告：触发器 {name} {'缺失' if sql is None else '被改动'}，已恢复并记入日志 / warning: trigger {name} was "
              f"{'missing' if sql is None else 'altered'}; restored and logged (see `zwxm verify`)", file=sys.stderr)
    app.run()
