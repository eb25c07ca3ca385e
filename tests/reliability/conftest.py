"""Reliability tests: fast versions by default (CI), long versions with `--slow`.

    .venv/bin/pytest tests/reliability -q            # fast: well under 3 minutes on 2 cores
    .venv/bin/pytest tests/reliability -q --slow     # long: the figures of docs/reliability.md
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--slow", action="store_true", default=False,
                     help="run the long reliability versions (60 s concurrency, 20 kills, more examples)")


@pytest.fixture(scope="session")
def slow(request: pytest.FixtureRequest) -> bool:
    """True when the long versions were asked for."""
    return bool(request.config.getoption("--slow", default=False))


def pytest_report_header(config: pytest.Config) -> str:
    return "reliability: " + ("long versions (--slow)" if config.getoption("--slow", default=False) else "fast versions")
