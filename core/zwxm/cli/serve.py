"""`zwxm serve`: a read-only web view of the database on this machine (Datasette), or the TUI in a
browser (textual-serve). No authentication is built in: it listens on 127.0.0.1 unless told
otherwise; docs/deadlines.md says what to put in front of it before anyone else can reach it.
"""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path

import click

from ..model import Problem
from .common import READ_ONLY_ENV, say
from .output import fail

LOOPBACK = "127.0.0.1"
# How `serve --tui` tells each visitor's TUI process what it may do: read-only through the
# environment form of `--read-only`, and the files folder (the TUI reads it at start-up).
FILES_DIR_ENV = "ZWXM_FILES_DIR"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _existing_database(ctx: click.Context) -> Path:
    """The database to serve: it must exist and be a zwxm file (a web view never creates one)."""
    from ..store import SchemaError, connect, resolve_db_path

    path = resolve_db_path(ctx.obj.get("db"))
    if not path.is_file():
        fail([Problem("db", str(path), "数据库文件不存在", "no such database file")])
    try:
        connect(path).close()  # refuses a file that is not ours or is newer; upgrades an older one
    except SchemaError as exc:
        fail([exc])
    return path


@click.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="端口 / port")
@click.option("--host", default=LOOPBACK, show_default=True,
              help="监听地址；非本机地址须自备认证 / address to listen on; anything but loopback needs a proxy with "
                   "authentication in front")
@click.option("--tui", is_flag=True, help="在浏览器中提供 TUI（textual-serve）/ serve the TUI to a browser")
@click.option("--writable", is_flag=True, help="--tui：允许修改数据库（默认只读）/ --tui: allow changes (default: read-only)")
@click.option("--files", "files_dir", type=click.Path(file_okay=False), default="zwxm-files", show_default=True,
              help="--tui：导入导出仅限此文件夹 / --tui: imports and exports only inside this folder")
@click.pass_context
def serve(ctx: click.Context, port: int, host: str, tui: bool, writable: bool, files_dir: str) -> None:
    """Serve the database read-only in a browser: Datasette, or the TUI with --tui."""
    path = _existing_database(ctx)
    if not is_loopback(host):
        say(ctx, f"警告：{host} 不是本机地址，zwxm serve 没有任何认证，请在前面加上带认证的反向代理",
             f"warning: {host} is not a loopback address and zwxm serve has no authentication: put a reverse "
             "proxy with authentication in front of it", err=True)
    if tui:
        _serve_tui(ctx, path, host, port, writable, Path(files_dir))
    else:
        _serve_datasette(ctx, path, host, port)


def _serve_datasette(ctx: click.Context, path: Path, host: str, port: int) -> None:
    import asyncio

    import uvicorn
    from datasette.app import Datasette

    from ..plugins import get_registry
    from ..store.datasette_plugin import metadata

    districts = {code: (d.name, d.name_en) for code, d in get_registry().districts.items()}
    ds = Datasette([str(path)], metadata=metadata(path.stem, districts, ctx.obj["lang"]),
                   settings={"sql_time_limit_ms": 5000, "allow_download": False})
    asyncio.run(ds.invoke_startup())
    say(ctx, f"只读浏览 {path}：http://{host}:{port}/（Ctrl+C 停止）",
         f"serving {path} read-only at http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on", workers=1)


def _serve_tui(ctx: click.Context, path: Path, host: str, port: int, writable: bool, files_dir: Path) -> None:
    """textual-serve runs `python -m zwxm --db PATH` for each visitor, with the read-only flag and the
    files folder in its environment."""
    import os
    import shlex

    from textual_serve.server import Server

    try:
        files_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        fail([Problem("files", str(files_dir), f"无法创建文件夹：{exc}", f"cannot create the folder: {exc}")])
    os.environ[READ_ONLY_ENV] = "0" if writable else "1"
    os.environ[FILES_DIR_ENV] = str(files_dir.resolve())
    command = shlex.join([sys.executable, "-m", "zwxm", "--db", str(path), "--lang", ctx.obj["lang"]])
    mode = ("可修改" if writable else "只读", "writable" if writable else "read-only")
    say(ctx, f"在浏览器中提供 TUI（{mode[0]}，文件夹 {files_dir}）：http://{host}:{port}/（Ctrl+C 停止）",
         f"serving the TUI ({mode[1]}, files in {files_dir}) at http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    Server(command, host=host, port=port, title="政务项目 zwxm").serve()


COMMANDS = [serve]
