"""Export to TOML, JSON and XLSX, and an import of the export gives back the same projects."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from zwxm.io.export import FORMULA_PREFIXES, export_projects
from zwxm.io.importer import import_file
from zwxm.model import load_project
from zwxm.store import Store


def projects() -> list:
    """Projects exercising every field, including text a spreadsheet would take for a formula."""
    return [
        load_project({
            "code": "YB-E-001", "name": "渝北区智慧医疗健康信息平台", "district": "yubei", "kind": "construction",
            "investment": "580万", "category": "engineering", "funding": "government_investment",
            "owner_unit": "区卫生健康委员会", "user_unit": "区人民医院", "contractor": "=HYPERLINK(\"http://x\")",
            "supervisor": "+86 监理", "designer": "-设计院", "tester": "@测评中心", "budget_year": 2025,
            "tags": ["重点", "民生"], "facts": {"contact": "王敏", "funds_city": 1_000_000, "pilot": True},
            "events": [{"type": "declared", "date": "2025-01-06", "actor": "王敏", "note": "=1+1"},
                       {"type": "preliminary_review_passed", "date": "2025-02-03", "role": "区大数据发展局",
                        "payload": {"doc": "渝北数发〔2025〕3号", "pages": 12}}],
            "changes": [{"date": "2025-06-01", "amount": "-30万", "reason": "缩减范围", "major": False,
                         "note": "-10%"}],
        }),
        load_project({"code": "=CMD", "name": "-运维服务", "district": "yubei", "kind": "operation",
                      "investment": 865_000}),
    ]


@pytest.mark.parametrize("fmt", ["toml", "json", "xlsx"])
def test_round_trip_gives_back_the_same_projects(fmt, tmp_path):
    original = projects()
    with Store(tmp_path / "a.db") as first:
        for project in original:
            first.save_project(project)
        path = tmp_path / f"export.{fmt}"
        assert export_projects(first.iter_projects([p.code for p in original]), path) == 2
    with Store(tmp_path / "b.db") as second:
        summary = import_file(second, path)
        assert (summary.inserted, summary.rejected) == (2, 0), summary
        assert [second.project(p.code) for p in original] == original
        again = import_file(second, path)
        assert (again.unchanged, again.inserted, again.updated) == (2, 0, 0)


def test_xlsx_never_holds_a_formula(tmp_path):
    path = tmp_path / "export.xlsx"
    export_projects(projects(), path)
    book = openpyxl.load_workbook(path)  # not data_only: formulas would show as data_type "f"
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                    texts.append(cell.value)
                    assert cell.quotePrefix, (sheet.title, cell.coordinate)
    assert {"=HYPERLINK(\"http://x\")", "+86 监理", "-设计院", "@测评中心", "=1+1", "-10%", "=CMD", "-运维服务"} <= set(texts)
    with zipfile.ZipFile(path) as package:
        sheets = "".join(package.read(n).decode() for n in package.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets


def test_unknown_export_format_is_named(tmp_path):
    with pytest.raises(ValueError, match="csv"):
        export_projects(projects(), tmp_path / "x.ods")
