"""Potou through the real `zwxm` command: listing, coverage, and the procurement-threshold setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from zwxm_potou.rules import PROCUREMENT_THRESHOLD_ENV

ZWXM = Path(sys.executable).parent / "zwxm"

PROJECT = """
code = "PT-CLI"
name = "执法记录管理系统"
district = "potou"
kind = "service"
investment = "60万"
funding = "department_budget"
category = "professional"

[facts]
service_type = "software_development"
crypto_application = false
"""


def run(*args: str, threshold: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != PROCUREMENT_THRESHOLD_ENV}
    if threshold is not None:
        env[PROCUREMENT_THRESHOLD_ENV] = threshold
    return subprocess.run([str(ZWXM), *args], capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    path = tmp_path / "project.toml"
    path.write_text(PROJECT, encoding="utf-8")
    return path


def test_districts_lists_potou_as_a_draft_without_problems():
    done = run("districts", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    (potou,) = [d for d in data["districts"] if d["district"] == "potou"]
    assert potou["status"] == "draft" and potou["effective_from"] is None
    assert not [p for p in data["problems"] if "potou" in p]


def test_rules_covers_or_explains_every_article():
    done = run("rules", "potou", "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["summary"]
    assert summary["articles"] == 31 and summary["coverage"] == 1.0


def test_scenarios_command_passes_for_potou():
    done = run("scenarios", "potou")
    assert done.returncode == 0, done.stdout
    assert done.stdout.strip().endswith("0 个失败")


def _steps(done: subprocess.CompletedProcess) -> dict[str, bool]:
    assert done.returncode == 0, done.stderr
    return {s["step"]: s["required"] for s in json.loads(done.stdout)["approval_path"]}


def test_default_threshold_puts_60_wan_software_under_the_filing_regime(project_file):
    steps = _steps(run("evaluate", str(project_file), "--as-of", "2025-04-01", "--json"))
    assert steps["filing"] is True and steps["expert_review"] is False


def test_environment_threshold_overrides_the_default(project_file):
    steps = _steps(run("evaluate", str(project_file), "--as-of", "2025-04-01", "--json", threshold="50万"))
    assert "filing" not in steps and steps["expert_review"] is True


def test_bad_environment_threshold_is_named_and_blocks_nothing(project_file):
    done = run("evaluate", str(project_file), "--as-of", "2025-04-01", "--json", threshold="一百万")
    assert done.returncode == 0 and "Traceback" not in done.stderr
    findings = json.loads(done.stdout)["findings"]
    (bad,) = [f for f in findings if f["rule"] == "fact_values"]
    assert bad["severity"] == "error" and PROCUREMENT_THRESHOLD_ENV in bad["message"] and "'一百万'" in bad["message"]
    assert any(f["rule"] == "approval_path" and f["severity"] == "info" for f in findings)
    assert any(f["rule"] == "regulation_status" for f in findings)
