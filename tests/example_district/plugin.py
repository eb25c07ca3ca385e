"""A small example district that exercises every hook; the tests register it on a fresh manager.

Its "regulation" is made up (示例区), with articles numbered like a real one, so the tests can pin
behaviour of the core without depending on a real district plugin.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zwxm import hookimpl
from zwxm.lifecycle import EventType
from zwxm.rules import District, Regulation, Role, Rule

HERE = Path(__file__).parent
CODE = "example"
SCOPE_MINIMUM = 500_000  # 第二条: 50万元（含）以上


def scope(ctx):
    """第二条 amount threshold (inclusive), 第三条 classified projects out."""
    yield ctx.applies(ctx.project.investment >= SCOPE_MINIMUM,
                      "投资额 50万元（含）以上适用" if ctx.project.investment >= SCOPE_MINIMUM else "投资额不足 50万元，不适用")
    if ctx.project.classified:
        yield ctx.applies(False, "涉密项目按保密规定办理", article=3)


def approval_path(ctx):
    funding = ctx.require("funding")
    if funding == "department_budget":
        return [ctx.step("fund_application_report", done_by=("approved",))]
    return [ctx.step("project_proposal", done_by=("approved",)),
            ctx.step("feasibility_study", required=ctx.project.investment > 50_000_000, done_by=("approved",))]


def contract_filing(ctx):
    """Each contract filed within 10 days of its signing (the core pairs filings with signings)."""
    return ctx.contract_filing(lambda signed: ctx.calendar.due_in_days(signed, 10))


def warranty(ctx):
    years = ctx.fact("warranty_years")
    if years is not None and years < 2:
        return ctx.finding("error", f"保修期 {years} 年，低于 2 年", f"warranty {years} years, under 2")


def change_procedure(ctx):
    return [ctx.change(c, "reapproval" if c.major else "file_only") for c in ctx.changes]


def acceptance_gate(ctx):
    if not ctx.has("example:data_registered"):
        return ctx.refuse("竣工验收前须完成数据登记", "data must be registered before final acceptance")


@hookimpl
def zwxm_register_districts(register):
    register(District(
        code=CODE, name="示例区", name_en="Example District",
        regulation=Regulation("示例区信息化项目管理办法", "示府办〔2024〕1号", dt.date(2024, 1, 1),
                              dt.date(2028, 12, 31), validity_article=9, source=HERE / "regulation.txt"),
        categories={"app": "应用系统", "infra": "基础设施"},
        uncovered={1: "目的条款，无数据可查"},
        scenarios=HERE / "example_scenarios",
    ))


@hookimpl
def zwxm_register_event_types(register):
    register(EventType("example:data_registered", "accept", "数据登记", "data registered"))


@hookimpl
def zwxm_register_roles(register):
    register(Role(CODE, "示例区数据局", "技术论证、合同备案", (4, 5), "Example data bureau", "review, contract filing"))


@hookimpl
def zwxm_register_rules(register):
    register(Rule("scope", CODE, "applicability", 2, "适用范围", scope, "scope", cites=(3,)))
    register(Rule("approval_path", CODE, "step", 4, "审批路径", approval_path, "approval path"))
    register(Rule("contract_filing", CODE, "deadline", 5, "合同备案", contract_filing, "contract filing"))
    register(Rule("warranty", CODE, "finding", 6, "保修期", warranty, "warranty"))
    register(Rule("change_procedure", CODE, "change", 7, "变更程序", change_procedure, "change procedure"))
    register(Rule("data_before_acceptance", CODE, "gate", 8, "验收前数据登记", acceptance_gate,
                  "data before acceptance", events=("final_acceptance_passed",)))
