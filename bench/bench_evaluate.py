"""Benchmark: evaluate 100,000 generated projects across all installed districts.

Run: .venv/bin/python bench/bench_evaluate.py [COUNT]
Target (issue 2): >= 5,000 projects/s with all four districts on a 2-core machine.
Each generated project has a realistic event history for its stage, a category of its district,
and sometimes a change, so every kind of rule runs.
"""

from __future__ import annotations

import datetime as dt
import platform
import random
import sys
import time

from zwxm.evaluation import evaluate
from zwxm.model import Change, Event, Project
from zwxm.plugins import get_registry

HISTORY = ["declared", "technical_review_passed", "preliminary_review_passed", "expert_review_passed", "approved",
           "procurement_started", "contract_signed", "contract_filed", "progress_reported", "progress_reported",
           "construction_completed", "preliminary_acceptance_passed", "security_assessment_passed",
           "trial_run_started", "trial_run_ended", "data_aggregated", "final_acceptance_applied",
           "final_acceptance_passed", "handed_over", "archive_submitted", "self_evaluation_submitted"]


def generate(count: int, seed: int = 7) -> list[Project]:
    rng = random.Random(seed)
    registry = get_registry()
    districts = sorted(registry.districts)
    projects = []
    for i in range(count):
        code = rng.choice(districts)
        categories = list(registry.districts[code].categories) or [None]
        start = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(0, 1500))
        events, day = [], start
        for event_type in HISTORY[: rng.randrange(0, len(HISTORY) + 1)]:
            day += dt.timedelta(days=rng.randrange(1, 40))
            events.append(Event(event_type, day))
        changes = [Change(day, rng.choice([50_000, 300_000, -100_000, 2_000_000]), "business_need", rng.random() < 0.3)] \
            if rng.random() < 0.2 else []
        projects.append(Project(
            code=f"B{i:06d}", name=f"项目{i}", district=code, kind=rng.choice(["construction", "operation", "service"]),
            investment=rng.choice([300_000, 500_000, 1_000_000, 4_990_000, 5_000_000, 20_000_000, 60_000_000]),
            category=rng.choice(categories), funding=rng.choice(["department_budget", "government_investment", None]),
            owner_unit=f"单位{i % 300}", user_unit=f"单位{(i + rng.randrange(2)) % 300}",
            supervisor=rng.choice([None, "监理公司"]), budget_year=start.year + 1,
            facts={"warranty_years": rng.choice([1, 2, 3])}, events=events, changes=changes))
    return projects


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    registry = get_registry()
    projects = generate(count)
    as_of = dt.date(2025, 6, 30)
    evaluate(projects[0], as_of, registry=registry)  # warm the calendar index
    started, cpu_started = time.perf_counter(), time.process_time()
    deadlines = findings = 0
    for project in projects:
        result = evaluate(project, as_of, registry=registry)
        deadlines += len(result.deadlines)
        findings += len(result.findings)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print(f"python {platform.python_version()} on {platform.machine()}, districts: {', '.join(sorted(registry.districts))}")
    print(f"{count} projects in {elapsed:.2f} s = {count / elapsed:,.0f} projects/s "
          f"({deadlines} deadlines, {findings} findings); CPU {cpu:.2f} s = {count / cpu:,.0f} projects/s of CPU")


if __name__ == "__main__":
    main()
