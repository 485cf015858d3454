"""The compliance check names every unmet requirement of the category rule in plain words."""

from __future__ import annotations

from datetime import date
from typing import Any

from pcfhub.accounting.calculate import account
from pcfhub.accounting.model import ProductModel
from pcfhub.catalogue.model import RuleData
from tests.accounting.builders import resolved, widget


def rule(**changes: Any) -> RuleData:
    data: dict[str, Any] = {
        "code": "test.widgets",
        "title_zh": "小部件（测试）",
        "title_en": "Widgets (test)",
        "effective_from": date(2025, 1, 1),
        "unit_kind": "declared",
        "unit": "piece",
        "unit_description": "one widget",
        "boundary": "cradle_to_gate",
        "mandatory_stages": ["raw_materials", "production"],
    }
    return RuleData.model_validate(data | changes)


def codes(data: dict[str, Any], chosen: RuleData) -> dict[str, str]:
    """Each finding's code → its English messages, joined."""
    result = account(ProductModel.model_validate(data), resolved(), rule=chosen, iterations=0)
    found: dict[str, str] = {}
    for finding in result.compliance.findings:
        found[finding.code] = " | ".join(
            filter(None, (found.get(finding.code), finding.message_en))
        )
    return found


def test_a_study_that_meets_its_rule_has_no_findings() -> None:
    data = widget()
    for process in data["processes"]:
        for exchange in process["exchanges"]:
            exchange["pedigree"] = dict(
                reliability=1, completeness=2, temporal=2, geographical=2, technological=2
            )
    result = account(
        ProductModel.model_validate(data), resolved(), rule=rule(), rule_version=2, iterations=0
    )
    assert result.compliance.complies
    assert result.compliance.findings == []
    assert (result.compliance.rule_code, result.compliance.rule_version) == ("test.widgets", 2)


def test_every_unmet_requirement_is_a_finding() -> None:
    data = widget()
    data["processes"][1]["stage"] = "production"  # no raw-materials process any more
    data["exclusions"] = [
        {"name": "glue", "mass_share": 0.02, "reason": "small"},
        {"name": "labels", "mass_share": 0.04, "reason": "small"},
    ]
    chosen = rule(
        min_primary_data_share=0.9,
        max_data_quality_rating=2.0,
        gwp_set="AR5",
        electricity={"market_based": "not_allowed"},
    )
    found = codes(data, chosen)
    assert set(found) == {
        "stage.raw_materials",
        "cutoff.input",
        "cutoff.total",
        "gwp_set",
        "data_quality",
        "primary_data",
        "electricity.market",
    }
    assert "requires the raw materials stage" in found["stage.raw_materials"]
    assert "'glue' was left out at 2.0%" in found["cutoff.input"]
    assert "'labels' was left out at 4.0%" in found["cutoff.input"]
    assert "add up to 6.0%" in found["cutoff.total"]
    assert "counted as 5" in found["data_quality"]


def test_boundary_unit_and_instrument_types_are_checked() -> None:
    found = codes(
        widget(), rule(boundary="cradle_to_grave", unit="kg", electricity={"instruments": ["ppa"]})
    )
    assert {"boundary", "unit", "electricity.green_certificate"} <= set(found)


def test_a_product_without_a_rule_says_nothing_was_checked() -> None:
    result = account(ProductModel.model_validate(widget()), resolved(), iterations=0)
    assert [f.code for f in result.compliance.findings] == ["no_rule"]
    assert "没有适用的产品种类规则" in result.compliance.findings[0].message_zh
