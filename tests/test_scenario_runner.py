"""The data-driven scenario format: passing, failing and malformed scenarios."""

from pathlib import Path

import pytest

from zwxm.testing.scenarios import ScenarioFailure, load_scenario, run_scenario

EXAMPLES = Path(__file__).parent / "example_district" / "example_scenarios"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.toml")), ids=lambda p: p.stem)
def test_example_scenarios_pass(path, example_registry):
    run_scenario(load_scenario(path), example_registry)


def write(tmp_path, text):
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


HEAD = '''title = "t"
article = 5
as_of = "2024-10-20"
[project]
code = "X"
name = "n"
district = "example"
kind = "construction"
investment = "120万"
funding = "government_investment"
[[project.events]]
type = "contract_signed"
date = "2024-09-25"
'''


def test_a_wrong_expectation_fails_showing_expected_and_actual(tmp_path, example_registry):
    path = write(tmp_path, HEAD + '[expect]\n[[expect.deadlines]]\nrule = "contract_filing"\ndate = "2024-10-05"\n')
    with pytest.raises(ScenarioFailure) as info:
        run_scenario(load_scenario(path), example_registry)
    assert "2024-10-05" in str(info.value) and "2024-10-08" in str(info.value) and "第5条" in str(info.value)


def test_absent_and_gate_expectations(tmp_path, example_registry):
    ok = HEAD + '''[record]
type = "final_acceptance_passed"
date = "2024-10-10"
[expect]
absent_findings = ["warranty"]
refused_by = ["data_before_acceptance"]
'''
    run_scenario(load_scenario(write(tmp_path, ok)), example_registry)
    wrong = ok.replace('refused_by = ["data_before_acceptance"]', "allowed = true")
    with pytest.raises(ScenarioFailure, match="expected to be allowed"):
        run_scenario(load_scenario(write(tmp_path, wrong)), example_registry)


def test_scenario_without_article_is_rejected(tmp_path):
    with pytest.raises(ScenarioFailure, match="article"):
        load_scenario(write(tmp_path, HEAD.replace("article = 5\n", "") + "[expect]\n"))


def test_absent_items_may_be_tables_matched_on_every_key(tmp_path, example_registry):
    # the one contract of HEAD is "#1": an absent table naming another contract passes, naming it fails
    other = HEAD + '[expect]\nabsent_deadlines = [{ rule = "contract_filing", contract = "#2" }]\n'
    run_scenario(load_scenario(write(tmp_path, other)), example_registry)
    same = other.replace('contract = "#2"', 'contract = "#1"')
    with pytest.raises(ScenarioFailure, match="must be absent"):
        run_scenario(load_scenario(write(tmp_path, same)), example_registry)
