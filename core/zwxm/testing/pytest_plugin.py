"""pytest plugin: every scenario TOML file (in a folder named `scenarios`) becomes a test.

Scenarios inside the test paths are collected like any test file; `--zwxm-scenarios` adds the
scenarios of every installed district, wherever it is installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--zwxm-scenarios", action="store_true", default=False,
                     help="also run the scenarios of every installed zwxm district")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".toml" and file_path.parent.name == "scenarios":
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--zwxm-scenarios"):
        return
    from .scenarios import scenario_files

    seen = {Path(item.path).resolve() for item in items if isinstance(item, ScenarioItem)}
    for _code, path in scenario_files():
        if path.resolve() not in seen:
            file = ScenarioFile.from_parent(session, path=path)
            items.extend(file.collect())


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        from .scenarios import load_scenario, run_scenario

        run_scenario(load_scenario(Path(self.path)))

    def repr_failure(self, excinfo, style=None):
        from .scenarios import ScenarioFailure

        if isinstance(excinfo.value, ScenarioFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, f"scenario: {self.name}"
