"""bench/mutate_boundaries.py finds the right constants and comparisons and patches only them.

The patching works on UTF-8 byte offsets, so Chinese text before a node on its line must not shift
it; a real pytest run on a tiny district shows that a caught mutant is killed and an uncaught one
survives.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SOURCE = '''\
import datetime as dt

WAN = 10_000  # 万元
ARTICLE = 8
EFFECTIVE_FROM = dt.date(2020, 3, 1)  # 第三十条
SCOPE_MINIMUM = 500_000  # 第二条 50万元（含）以上
REVIEW_MINIMUM = 500 * WAN
SIMILAR = 0.6
NAMES = ("甲", "乙")


def in_scope(amount):
    label = "五十万元"; return amount >= SCOPE_MINIMUM


def band(amount, low, high):
    return (low) < amount <= high
'''

TEST = '''\
from zwxm_tiny.rules import in_scope


def test_fifty_wan_is_in_scope():
    assert in_scope(500_000)
'''


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("mutate_boundaries", ROOT / "bench" / "mutate_boundaries.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    package = tmp_path / "tiny" / "zwxm_tiny"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "rules.py").write_text(SOURCE, encoding="utf-8")
    (tmp_path / "tiny" / "tests").mkdir()
    (tmp_path / "tiny" / "tests" / "test_tiny.py").write_text(TEST, encoding="utf-8")
    return tmp_path / "tiny"


def test_finds_thresholds_and_comparisons_but_not_citations_units_or_names(script, tiny):
    found = {m.description for m in script.mutants_of("tiny", tiny)}
    assert found == {
        "EFFECTIVE_FROM 2020-03-01 -> 2020-02-29", "EFFECTIVE_FROM 2020-03-01 -> 2020-03-02",
        "SCOPE_MINIMUM 500_000 -> 499999", "SCOPE_MINIMUM 500_000 -> 500001",
        "REVIEW_MINIMUM 500 -> 499", "REVIEW_MINIMUM 500 -> 501",
        "SIMILAR 0.6 -> 0.5", "SIMILAR 0.6 -> 0.7",
        "amount >= SCOPE_MINIMUM  ->  amount > SCOPE_MINIMUM",
        "low < amount <= high  ->  low <= amount <= high",
        "low < amount <= high  ->  low < amount < high",
    }


def test_each_mutant_changes_only_its_own_text(script, tiny):
    source = (tiny / "zwxm_tiny" / "rules.py").read_bytes()
    patched = {m.description: m.apply(source).decode() for m in script.mutants_of("tiny", tiny)}
    assert 'label = "五十万元"; return amount > SCOPE_MINIMUM' in patched[
        "amount >= SCOPE_MINIMUM  ->  amount > SCOPE_MINIMUM"]
    assert "return (low) <= amount <= high" in patched["low < amount <= high  ->  low <= amount <= high"]
    assert "REVIEW_MINIMUM = 501 * WAN" in patched["REVIEW_MINIMUM 500 -> 501"]
    assert "EFFECTIVE_FROM = dt.date(2020, 2, 29)  # 第三十条" in patched["EFFECTIVE_FROM 2020-03-01 -> 2020-02-29"]
    for description, text in patched.items():
        changed = [(a, b) for a, b in zip(source.decode().splitlines(), text.splitlines()) if a != b]
        assert len(changed) == 1, description


def test_a_caught_mutant_is_killed_and_an_uncaught_one_survives(script, tiny):
    mutants = {m.description: m for m in script.mutants_of("tiny", tiny)}
    caught = mutants["amount >= SCOPE_MINIMUM  ->  amount > SCOPE_MINIMUM"]
    uncaught = mutants["SIMILAR 0.6 -> 0.7"]
    assert script.run_copy("tiny", tiny, None, timeout=120)[0] is True
    assert script.run_copy("tiny", tiny, caught, timeout=120)[0] is False
    assert script.run_copy("tiny", tiny, uncaught, timeout=120)[0] is True
    assert (tiny / "zwxm_tiny" / "rules.py").read_text(encoding="utf-8") == SOURCE  # the original is untouched
