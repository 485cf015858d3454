"""The shipped seed: seven focus sectors of 渝环〔2025〕99号, sourced codes, illustrative rules
without invented reference values, loaded once however often it is asked."""

from __future__ import annotations

import re
from datetime import date

from pcfhub.catalogue import service
from pcfhub.catalogue.formats import read_path
from pcfhub.catalogue.model import Management
from pcfhub.catalogue.reference import SEED, SEED_RULES, load_seed, seed_catalogue
from pcfhub.platform.context import Platform

FOCUS_SECTORS = {"nev", "computer", "auto-parts", "gas-chemicals", "new-materials", "equipment",
                 "farm"}  # fmt: skip


def test_the_seed_covers_the_seven_focus_sectors_with_sourced_codes() -> None:
    data = seed_catalogue()
    assert {s.code for s in data.sectors} == FOCUS_SECTORS
    assert all(len(s.categories) >= 2 for s in data.sectors)
    assert data.unsourced_codes() == []
    for _, category in data.located_categories():
        assert category.illustrative
        assert category.hs_codes, category.code
        assert all(re.fullmatch(r"\d{4}\.\d{2}", code) for code in category.hs_codes)
        for key in category.code_sources.values():
            source = data.sources[key]
            assert source.publisher
            assert source.document
            assert 1900 <= source.year <= 2100
    assert data.sources["wco-hs2022"].year == 2022
    laptop = data.category("computer.portable")
    assert (laptop.hs_codes, laptop.cpc_code) == (("8471.30",), "45220")
    assert data.category("nev.lfp-battery-pack").management is Management.REQUIRED


def test_every_category_names_a_seed_rule_and_no_rule_invents_a_reference_value() -> None:
    rules = read_path(SEED_RULES)
    codes = {r.code for r in rules}
    assert seed_catalogue().rule_codes() <= codes
    assert all(r.illustrative and r.reference_value is None for r in rules)
    methanol = next(r for r in rules if r.code == "cq.methanol")
    assert methanol.standard == "T/CPCIF 0467-2025"
    assert (SEED / "README.md").is_file()


def test_loading_the_seed_twice_publishes_it_once(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        first = load_seed(uow)
        uow.commit()
    with platform.unit_of_work() as uow:
        again = load_seed(uow)
        uow.commit()
    assert (first.rules_published, first.catalogue_version) == (9, 1)
    assert (again.rules_published, again.catalogue_version) == (0, None)
    with platform.unit_of_work(read_only=True) as uow:
        in_force = service.catalogue_on(uow, date(2026, 1, 1))
        assert (in_force.version, in_force.sectors, in_force.categories) == (1, 7, 22)
        assert service.rule_on(uow, "cq.battery-pack", date(2026, 1, 1)).data.unit == "kWh"
        assert service.count_versions(uow.session) == (1, 9)
