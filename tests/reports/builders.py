"""A study with something in every section of the report: an uncertain, allocated, partly
excluded widget under a rule, accounted without a database (pure) or stored in one."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from pcfhub.accounting.calculate import AccountingResult, account
from pcfhub.accounting.model import ProductModel
from pcfhub.catalogue.model import RuleData
from pcfhub.reports.content import ReportSource
from tests.accounting.builders import resolved, widget

ORGANISATION = "重庆示例电子有限公司"
RESULT_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")


def study_model() -> dict[str, Any]:
    """The accounting tests' widget, with spreads, a co-product, an exclusion and assumptions."""
    data = widget()
    assembly, frame = data["processes"]
    assembly["exchanges"][0]["gsd"] = 1.1
    assembly["exchanges"][2]["gsd"] = 1.5
    frame["exchanges"][0]["gsd"] = 1.3
    frame["output_mass_kg"] = 1.0
    frame["coproducts"] = [{"name": "Steel offcuts", "amount": 0.25, "unit": "kg", "mass_kg": 0.25}]
    frame["allocation"] = "physical"
    data["exclusions"] = [
        {"name": "Adhesive", "mass_share": 0.004, "reason": "Below 1% of mass, no factor known."}
    ]
    data["assumptions"] = ["Trucks return empty; 500 km is the mean distance to customers."]
    return data


def rule() -> RuleData:
    return RuleData.model_validate(
        {
            "code": "test.widgets",
            "title_zh": "小部件碳足迹核算规则（测试）",
            "title_en": "Widget carbon footprint rule (test)",
            "effective_from": date(2025, 1, 1),
            "unit_kind": "declared",
            "unit": "piece",
            "unit_description": "one widget",
            "boundary": "cradle_to_gate",
            "mandatory_stages": ["raw_materials", "production"],
            "max_data_quality_rating": 3.0,
        }
    )


def study(iterations: int = 400) -> tuple[ProductModel, AccountingResult]:
    model = ProductModel.model_validate(study_model())
    result = account(
        model,
        resolved("test.grid", "test.wind", "test.steel", "test.truck"),
        rule=rule(),
        rule_version=1,
        model_version=3,
        model_hash="sha256:" + "ab" * 32,
        iterations=iterations,
    )
    return model, result


def source(iterations: int = 400, **changes: Any) -> ReportSource:
    model, result = study(iterations)
    values: dict[str, Any] = dict(
        result_id=RESULT_ID,
        result_hash="sha256:" + "cd" * 32,
        computed_at=datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        result=result,
        model=model,
        model_version=3,
        organisation=ORGANISATION,
        rule=rule(),
    )
    return ReportSource(**(values | changes))
