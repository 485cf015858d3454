"""Diffs between catalogue versions and between rule versions, worked out by hand."""

from __future__ import annotations

from pcfhub.catalogue.diff import diff_catalogues, diff_rules, field_changes
from tests.catalogue.builders import catalogue, next_catalogue, rule


def test_a_catalogue_diff_names_what_was_added_removed_and_changed() -> None:
    diff = diff_catalogues(catalogue(), next_catalogue(), from_version=1, to_version=2)
    assert [(c.field, c.before, c.after) for c in diff.changes] == [
        ("effective_from", "2026-01-01", "2026-07-01"),
        ("title_en", "Test catalogue", "Test catalogue, 2nd"),
    ]
    assert [c.code for c in diff.categories_added] == ["farm.orange"]
    assert diff.categories_added[0].sector == "farm"
    assert [(c.code, c.sector) for c in diff.categories_removed] == [("nev.car", "nev")]
    [tea] = diff.categories_changed
    assert tea.code == "farm.tea"
    assert [(c.field, c.before, c.after) for c in tea.changes] == [
        ("name_en", "Green tea", "Green tea, packed"),
        ("rule_code", None, "t.farm"),
    ]
    assert diff.rules_added == ["t.farm"]
    assert diff.rules_removed == []
    assert (diff.sectors_added, diff.sectors_removed, diff.sectors_changed) == ([], [], [])
    assert not diff.empty


def test_a_category_moved_to_another_sector_shows_its_sector_changing() -> None:
    older = catalogue()
    record = older.model_dump(mode="json")
    tea = record["sectors"][1]["categories"].pop()
    record["sectors"][0]["categories"].append(tea)
    record["sectors"][1]["categories"].append({**tea, "code": "farm.other", "code_sources": {}})
    record["sectors"][1]["categories"][0]["hs_codes"] = []
    newer = type(older).model_validate(record)
    diff = diff_catalogues(older, newer, from_version=1, to_version=2)
    moved = next(item for item in diff.categories_changed if item.code == "farm.tea")
    assert [(c.field, c.before, c.after) for c in moved.changes] == [("sector", "farm", "nev")]


def test_identical_catalogues_have_an_empty_diff() -> None:
    diff = diff_catalogues(catalogue(), catalogue(), from_version=1, to_version=1)
    assert diff.empty


def test_a_rule_diff_walks_nested_fields() -> None:
    older = rule()
    newer = rule(cutoff={"per_input": 0.01, "total": 0.03}, standard="T/TEST 1-2026",
                 electricity={"market_based": "required"})  # fmt: skip
    diff = diff_rules(older, newer, from_version=1, to_version=2)
    assert [(c.field, c.before, c.after) for c in diff.changes] == [
        ("cutoff.total", 0.05, 0.03),
        ("electricity.market_based", "allowed", "required"),
        ("standard", None, "T/TEST 1-2026"),
    ]
    assert diff.code == "t.battery"


def test_field_changes_report_keys_on_one_side_only() -> None:
    assert [(c.field, c.before, c.after) for c in field_changes({"a": 1}, {"b": {"c": 2}})] == [
        ("a", 1, None),
        ("b", None, {"c": 2}),
    ]
