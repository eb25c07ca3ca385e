"""`zwxm serve`: the real server in a subprocess on a free loopback port, asked with a real HTTP
client (urllib), bounded in time and always stopped (issue 15)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_due import ZWXM, project
from zwxm.store import Store

START_TIMEOUT = 60  # seconds for the server to answer (a busy shared machine)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(*args: str, db: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`zwxm serve` on a free port; yields its base URL once it answers; stopped whatever happens.
    Its output goes to a file: a pipe nobody reads while the test runs would block the server once full."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    command = [ZWXM, *(["--db", str(db)] if db else []), "serve", "--port", str(port), *args]
    output = tempfile.TemporaryFile()
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                output.seek(0)
                raise AssertionError(f"server exited {process.returncode}: {output.read().decode()}")
            try:
                urllib.request.urlopen(base + "/", timeout=5).close()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    raise AssertionError("server did not answer in time") from None
                time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        output.close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def rows(url: str) -> list[dict]:
    status, body = get(url + ("&" if "?" in url else "?") + "_shape=array")
    assert status == 200, body
    return json.loads(body)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "zwxm.db"
    today = dt.date.today()
    with Store(path) as store:
        store.save_projects([project("YB-T-1", "yubei", "区教育局", dt.date(2024, 9, 27)),
                             *(project(f"YB-W-{n}", "yubei", "区民政局", today - dt.timedelta(days=n))
                               for n in range(3, 12))])
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_datasette_answers_with_labels_canned_queries_and_the_zwxm_functions(db):
    before = digest(db)
    with server(db=db) as (base, _process):
        status, page = get(f"{base}/zwxm/project_deadlines")
        assert status == 200 and 'data-column-description="期限事项 / deadline"' in page
        overdue = rows(f"{base}/zwxm/overdue_now.json")
        first = next(r for r in overdue if r["项目编号"] == "YB-T-1")
        assert first["截止日期"] == "2024-10-12" and first["条款"] == "第12条" and first["剩余工作日"] < 0
        assert "7 个工作日" in first["日期计算说明"]
        today = dt.date.today()
        sunday = today + dt.timedelta(days=6 - today.weekday())
        with Store(db) as store:
            expected = sorted(r[0] for r in store.db.execute(
                "SELECT project_code FROM project_deadlines WHERE kind = 'due' AND done_on IS NULL AND date BETWEEN "
                "? AND ?", [today.isoformat(), sunday.isoformat()]))
        assert sorted(r["项目编号"] for r in rows(f"{base}/zwxm/due_this_week.json")) == expected
        stages = rows(f"{base}/zwxm/projects_by_stage.json")
        assert {(r["地区"], r["阶段"]) for r in stages} == {("渝北区", "合同")}
        assert sum(r["项目数"] for r in stages) == 10
        sql = urllib.parse.quote("select zwxm_add_workdays('2024-09-30', 5) as d")
        assert rows(f"{base}/zwxm.json?sql={sql}") == [{"d": "2024-10-12"}]
        status, body = get(f"{base}/zwxm.json?sql=" + urllib.parse.quote("delete from projects"))
        assert status == 400
        status, _ = get(f"{base}/zwxm.db")
        assert status in (403, 404)  # no download of the whole file
    assert digest(db) == before


def test_every_served_connection_is_read_only_even_the_write_one(db):
    from datasette.app import Datasette

    from zwxm.store.datasette_plugin import metadata

    ds = Datasette([str(db)], metadata=metadata("zwxm", {"yubei": ("渝北区", "Yubei")}))

    async def attempt() -> str:
        try:
            await ds.get_database("zwxm").execute_write("DELETE FROM project_findings")
        except Exception as exc:  # noqa: BLE001 - the error is what this test is about
            return str(exc)
        return "written"

    assert "readonly" in asyncio.run(attempt())


def test_only_loopback_by_default(db):
    with server(db=db) as (base, _process):
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: just which local address routes out
            address = probe.getsockname()[0]
        except OSError:
            address = "127.0.0.1"
        finally:
            probe.close()
        if address.startswith("127."):
            pytest.skip("this machine has no address but loopback")
        with pytest.raises(OSError):
            socket.create_connection((address, int(base.rsplit(":", 1)[1])), timeout=5).close()


def test_a_missing_database_is_named_and_not_created(tmp_path):
    missing = tmp_path / "none.db"
    env = {k: v for k, v in os.environ.items() if k not in ("ZWXM_DB", "ZWXM_LANG")}
    result = subprocess.run([ZWXM, "--db", str(missing), "serve", "--port", str(free_port())], capture_output=True,
                            text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 2 and str(missing) in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()


def test_loopback_addresses():
    from zwxm.cli.serve import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2") and not is_loopback("example.org")


ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[PX^_].*?\x1b\\|\x1b\][^\x07]*(\x07|\x1b\\)|\x1b[@-Z\\-_]")


async def tui_screen_text(base: str, wanted: tuple[str, ...], seconds: float = START_TIMEOUT) -> str:
    """Open the TUI's websocket as the browser page does and collect what the app draws until every
    `wanted` text has appeared (or time runs out); then close it, which ends the app process."""
    import aiohttp

    seen = ""
    url = base.replace("http:", "ws:") + "/ws?width=160&height=40"

    async def collect() -> None:
        nonlocal seen
        async with aiohttp.ClientSession() as session, session.ws_connect(
                url, timeout=aiohttp.ClientWSTimeout(ws_close=5)) as ws:
            await ws.send_json(["resize", {"width": 160, "height": 40}])
            while not all(w in seen for w in wanted):
                message = await ws.receive()
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += ANSI.sub("", message.data.decode("utf-8", "replace"))
                elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    break

    try:
        await asyncio.wait_for(collect(), seconds)  # the whole exchange, connection and close included
    except TimeoutError:
        pass
    return seen


def test_the_tui_is_served_read_only_with_its_files_folder(db, tmp_path):
    before = digest(db)
    with server("--tui", "--files", str(tmp_path / "exchange"), db=db) as (base, _process):
        status, page = get(base + "/")
        assert status == 200 and "/ws" in page
        text = asyncio.run(tui_screen_text(base, ("YB-T-1", "只读")))
        assert "YB-T-1" in text and "只读" in text, text[-2000:]
    assert (tmp_path / "exchange").is_dir()
    assert digest(db) == before
