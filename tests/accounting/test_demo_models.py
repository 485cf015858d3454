"""The illustrative demo models: one per focus sector, only shipped factors, accounted by
`load_demo_models` against the seed catalogue's rules; loading twice adds nothing."""

from __future__ import annotations

import csv

import pytest

from pcfhub.accounting import service
from pcfhub.accounting.demo import OWNERS, demo_model_paths, load_demo_models
from pcfhub.accounting.formats import read_model_path
from pcfhub.catalogue.reference import load_seed, seed_catalogue
from pcfhub.factors.reference import import_shipped_reference, reference_files
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo
from tests.factors.builders import acting

SECTORS = {"nev", "computer", "auto-parts", "gas-chemicals", "new-materials", "equipment", "farm"}
# Models whose main parts have no shipped factor: their exclusions break the rule's cut-off.
PARTIAL = {"laptop", "lfp-battery-pack", "ac-motor"}


def test_one_illustrative_model_per_focus_sector_on_shipped_factors_only() -> None:
    shipped = {
        row["lineage_key"]
        for path in reference_files()
        for row in csv.DictReader(path.open(encoding="utf-8"))
    }
    catalogue = seed_catalogue()
    sectors = set()
    for name, path in demo_model_paths().items():
        model = read_model_path(path)
        assert model.product.illustrative, name
        assert "illustrative" in model.product.name_en.lower()
        assert {ref.key for ref in model.factor_refs()} <= shipped, name
        category = catalogue.category(model.product.category or "")
        assert category is not None, name
        sectors |= {s.code for s in catalogue.sectors if category in s.categories}
        assert name in OWNERS
    assert sectors == SECTORS


def test_the_demo_models_load_account_and_check_against_their_rules(platform: Platform) -> None:
    demo = {s.organisation: s for s in seed_demo(platform)}
    with platform.unit_of_work() as uow:
        import_shipped_reference(uow)
        load_seed(uow)
        uow.commit()
    reports = {r.name: r for r in load_demo_models(platform)}
    assert set(reports) == set(OWNERS)
    for name, report in reports.items():
        assert report.loaded, name
        assert report.total is not None
        assert report.total > 0, name
        assert report.complies == (name not in PARTIAL), name
    with platform.unit_of_work(read_only=True) as uow:
        results = service.list_results(uow, principal=acting(demo["cq-industry"])).data
        assert len(results) == 5
        for stored in results:
            full = service.get_result(
                uow, principal=acting(demo["cq-industry"]), result_id=stored.id
            )
            assert full.result.compliance.rule_code is not None
            assert full.result.uncertainty is not None
            spread = full.result.uncertainty.percentiles
            assert spread["2.5"] < full.result.result.total < spread["97.5"]
        sheet = next(r for r in results if r.code == "demo-aluminium-sheet")
        # A wind PPA covers part of the electricity: market-based is lower.
        assert sheet.market_total < sheet.location_total
        assert sheet.total == pytest.approx(sheet.market_total)
    again = load_demo_models(platform)
    assert not any(r.loaded for r in again)
