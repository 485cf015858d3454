"""The catalogue's domain types refuse inconsistent documents and find categories by HS code."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pcfhub.catalogue.model import CatalogueData, Category
from tests.catalogue.builders import HS, catalogue, catalogue_record, rule, rule_record


def test_a_valid_catalogue_knows_its_rules_sectors_and_sourced_codes() -> None:
    data = catalogue()
    assert data.rule_codes() == {"t.battery"}
    assert data.sector_of("farm.tea").code == "farm"
    assert data.sector_of("nope") is None
    assert data.unsourced_codes() == []
    assert [path for path, _ in data.located_categories()] == [
        "sectors[0].categories[0]", "sectors[0].categories[1]", "sectors[1].categories[0]",
    ]  # fmt: skip


def test_unsourced_codes_are_named_by_their_place() -> None:
    record = catalogue_record()
    category = record["sectors"][1]["categories"][0]
    category["hs_codes"] = ["0902.10", "0902.20"]
    category["cpc_code"] = "23913"
    data = CatalogueData.model_validate(record)
    assert data.unsourced_codes() == [
        "sectors[1].categories[0].hs_codes[1]", "sectors[1].categories[0].cpc_code",
    ]  # fmt: skip


def test_a_source_key_missing_from_sources_is_refused() -> None:
    record = catalogue_record(sources={})
    with pytest.raises(ValidationError, match=r"code_sources\['8507.60'\]: no source"):
        CatalogueData.model_validate(record)


def test_a_code_source_for_a_code_the_category_lacks_is_refused() -> None:
    with pytest.raises(ValidationError, match="not codes of x"):
        Category(code="x", name_zh="甲", name_en="x", hs_codes=("8507.60",),
                 management="voluntary", code_sources={"8507.10": HS})  # fmt: skip


def test_codes_appearing_twice_and_malformed_hs_codes_are_refused() -> None:
    record = catalogue_record()
    record["sectors"][1]["categories"][0]["code"] = "nev.car"
    with pytest.raises(ValidationError, match="'nev.car' appears twice"):
        CatalogueData.model_validate(record)
    record = catalogue_record()
    record["sectors"][0]["categories"][0]["hs_codes"] = ["85A7.60"]
    with pytest.raises(ValidationError) as caught:
        CatalogueData.model_validate(record)
    assert caught.value.errors()[0]["loc"] == ("sectors", 0, "categories", 0, "hs_codes", 0)


@pytest.mark.parametrize(
    ("query", "found"),
    [("8507", True), ("8507.60", True), ("850760", True), ("85076000", True), ("8507.10", False),
     ("85", True), ("8703", False), ("", False)],
)  # fmt: skip
def test_hs_codes_match_at_any_length(query: str, found: bool) -> None:
    battery = catalogue().category("nev.battery")
    assert battery is not None
    assert battery.matches_hs(query) is found


def test_a_rule_refuses_stages_outside_its_boundary_and_reordered_allocation() -> None:
    assert rule().mandatory_stages[0] == "raw_materials"
    with pytest.raises(ValidationError, match="outside the cradle_to_gate boundary"):
        rule(boundary="cradle_to_gate", mandatory_stages=["use"])
    with pytest.raises(ValidationError, match="ISO 14044's order"):
        rule(allocation_order=["economic", "physical"])
    with pytest.raises(ValidationError, match="effective_to is before"):
        rule(effective_to="2025-01-01")
    with pytest.raises(ValidationError, match="reference_value"):
        rule(reference_value={"value": -1, "source": "x"})
    assert rule_record()["code"] == "t.battery"
