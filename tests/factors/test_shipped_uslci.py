"""The USLCI FY17 factors shipped in src/pcfhub/data/factors/uslci_fy17.csv.

They are computed, not transcribed: scripts/ship_uslci_factors.py reads the public U.S. LCI
database release (shared data) with pcfhub's LCI import. Regenerating must reproduce the file;
every row must publish on both databases; a few rows are checked by hand against the dataset's
own exchanges, read straight from the release's JSON.
"""

from __future__ import annotations

import csv
import html
import importlib.util
import json
import re
import sys
import zipfile
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import select

import pcfhub
from pcfhub.factors import gwp, reference
from pcfhub.factors.model import Boundary, FactorData, FactorStatus, Redistribution, Traceability
from pcfhub.factors.service import RESERVED_KEY_PREFIXES
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.factors.tabular import COLUMNS, GAS_COLUMNS, read_csv
from pcfhub.platform.context import Platform
from tests.support.shared import REPOSITORY, uslci_archive

FACTORS = Path(pcfhub.__file__).parent / "data" / "factors"
SHIPPED = FACTORS / "uslci_fy17.csv"
SCRIPT = REPOSITORY / "scripts" / "ship_uslci_factors.py"
PREFIX = "pcfhub.uslci.fy17."


@cache
def script() -> ModuleType:
    """scripts/ship_uslci_factors.py as a module (scripts/ is no package)."""
    spec = importlib.util.spec_from_file_location("ship_uslci_factors", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


@cache
def _regenerated(release: Path) -> str:
    return script().render(script().build(release))


@cache
def _computed(release: Path) -> Any:  # the script's Release
    return script().compute(release)


def release() -> Path:
    return uslci_archive(script().RELEASE_FILE)


def shipped() -> list[FactorData]:
    return read_csv(SHIPPED)


def by_key() -> dict[str, FactorData]:
    return {factor.lineage_key.removeprefix(PREFIX): factor for factor in shipped()}


def process_json(process_id: str) -> dict:
    """A process of the release as the publisher wrote it (the zip's processes/<id>.json)."""
    with zipfile.ZipFile(release()) as archive:
        name = next(n for n in archive.namelist() if n.endswith(f"processes/{process_id}.json"))
        return json.loads(archive.read(name))


# (a) The file is what the script makes of the release.


def test_regenerating_from_the_release_reproduces_the_file() -> None:
    assert _regenerated(release()) == SHIPPED.read_text(encoding="utf-8")


def test_every_pick_is_one_row_naming_its_process() -> None:
    picks = script().PICKS
    factors = shipped()
    assert [f.lineage_key for f in factors] == [PREFIX + pick.slug for pick in picks]
    for pick, factor in zip(picks, factors, strict=True):
        assert pick.process_id in (factor.source.table or ""), pick.slug
        assert pick.process_name in (factor.source.table or ""), pick.slug
        assert factor.activity == pick.activity
        assert factor.name_zh == pick.name_zh
        assert factor.name_en.startswith(pick.process_name)


# (b) Every row is a valid factor of the template and publishes on both databases.


def test_the_header_is_the_shipped_layout_plus_the_gas_columns_needed() -> None:
    with (FACTORS / "cn_electricity.csv").open(encoding="utf-8", newline="") as handle:
        layout = next(csv.reader(handle))
    with SHIPPED.open(encoding="utf-8", newline="") as handle:
        columns = next(csv.reader(handle))
    extra = [c for c in columns if c not in layout]
    assert extra
    assert set(extra) <= set(GAS_COLUMNS)
    assert columns == [c for c in COLUMNS if c in layout or c in extra]  # the template's order
    used = {gas.value for factor in shipped() for gas in factor.gases}
    assert set(extra) <= used  # no empty extra column
    assert "c2f6" in extra  # primary aluminium's PFC-116, 1.5 % of its value


def test_value_is_the_per_gas_sum_and_every_amount_is_positive() -> None:
    for factor in shipped():
        gases = {gas.value: amount for gas, amount in factor.gases.items()}
        assert factor.value == pytest.approx(gwp.co2e(gases, "AR6"), rel=1e-5), factor.lineage_key
        assert all(amount > 0 for amount in gases.values()), factor.lineage_key
        assert factor.gwp_set == "AR6"


def test_every_row_says_what_it_is_and_where_it_comes_from() -> None:
    for factor in shipped():
        key = factor.lineage_key
        assert key.startswith(PREFIX)
        assert key.lower().startswith(RESERVED_KEY_PREFIXES)
        assert factor.boundary is Boundary.CRADLE_TO_GATE
        assert factor.geography in {"US", "RNA"}, key
        assert 1970 <= factor.reference_year <= 2017, key
        source = factor.source
        assert source.publisher == "U.S. DOE / NREL (USLCI)"
        assert source.traceability is Traceability.SECONDARY
        assert "FLCAC-admin/uslci-content" in (source.url or "")
        note = source.note or ""
        assert note.startswith("Computed, not published by USLCI")
        for needed in ("docs/lci.md", "ghg_flows.csv", "Allocation:", "Cut-offs:", "proxy"):
            assert needed in note, (key, needed)
        assert factor.licence.redistribution is Redistribution.ATTRIBUTION
        assert "credit DOE/NREL/Alliance" in (factor.licence.attribution or "")


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9]+", text)


def test_the_licence_carries_the_whole_data_use_notice() -> None:
    """The agreement asks that its entire notice appears in all copies of the data."""
    notice = html.unescape(uslci_archive("DATA-USE-DISCLAIMER.md").read_text(encoding="utf-8"))
    notice = re.sub(r"\[\*\*_Return to TOC_\*\*\]\([^)]*\)", "", notice).replace("#", "")
    for factor in shipped():
        attribution = factor.licence.attribution or ""
        assert " ".join(_words(notice)) in " ".join(_words(attribution)), factor.lineage_key


def test_no_row_leans_on_a_linking_artefact() -> None:
    """Inputs of declared cut-off flows linked to a dataset that outputs them add nothing
    real; the picks keep that part small (galvanized steel, 30 %, was left out)."""
    for factor in shipped():
        found = re.search(r"Linking artefact, should be zero: \S+ kg CO2e \(([\d.]+) %\)",
                          factor.source.note or "")  # fmt: skip
        if found:
            assert float(found.group(1)) < 10, factor.lineage_key


def test_every_row_publishes_once_on_each_database(platform: Platform) -> None:
    factors = shipped()
    with platform.unit_of_work() as uow:
        first = reference.import_reference(uow, factors=factors, file=SHIPPED.name)
        uow.commit()
    assert (first.published, first.unchanged) == (len(factors), 0)
    with platform.unit_of_work() as uow:
        again = reference.import_reference(uow, factors=shipped(), file=SHIPPED.name)
        stored = uow.session.execute(
            select(FactorLineageRow.lineage_key, FactorVersionRow.data, FactorVersionRow.value)
            .join(FactorVersionRow, FactorVersionRow.lineage_id == FactorLineageRow.id)
            .where(FactorVersionRow.status == FactorStatus.PUBLISHED.value,
                   FactorLineageRow.lineage_key.like(f"{PREFIX}%"))
        ).all()  # fmt: skip
    assert (again.published, again.unchanged) == (0, len(factors))
    expected = {factor.lineage_key: factor for factor in factors}
    assert {key for key, _, _ in stored} == set(expected)
    for key, data, value in stored:
        assert FactorData.model_validate(data) == expected[key]
        gases = {gas.value: amount for gas, amount in expected[key].gases.items()}
        assert value == pytest.approx(gwp.co2e(gases, "AR6"), rel=1e-5)


def test_the_shipped_reference_includes_the_file(platform: Platform) -> None:
    assert SHIPPED in reference.reference_files()
    with platform.unit_of_work() as uow:
        reports = {r.file: r for r in reference.import_shipped_reference(uow)}
        uow.commit()
    assert reports[SHIPPED.name].published == len(shipped())


# (c) Rows checked by hand against the dataset's own exchanges.

AR6 = gwp.gwp100("AR6")
# The greenhouse-gas flows of the hand-checked datasets, as the release names them.
HAND_MAP = {
    "Carbon dioxide, fossil": ("co2_fossil", 1.0),
    "Carbon dioxide, biogenic": ("co2_biogenic_emission", 1.0),
    "Carbon dioxide, in air": ("co2_biogenic_removal", -1.0),  # an input: taken up
    "Methane, fossil": ("ch4_fossil", 1.0),
    "Methane": ("ch4_fossil", 1.0),
    "Dinitrogen monoxide": ("n2o", 1.0),
    "Methane, tetrafluoro-, FC-14": ("cf4", 1.0),
    "Ethane, hexafluoro-, HFC-116": ("c2f6", 1.0),
    "Sulfur hexafluoride": ("sf6", 1.0),
}


def direct_co2e(process_id: str) -> float:
    """kg CO2e (AR6) of the dataset's own greenhouse-gas exchanges per unit of its product."""
    total = 0.0
    for exchange in process_json(process_id)["exchanges"]:
        name = exchange["flow"]["name"].strip()
        if exchange["flow"].get("flowType") == "ELEMENTARY_FLOW" and name in HAND_MAP:
            gas, sign = HAND_MAP[name]
            total += sign * exchange["amount"] * AR6[gas]
    return total


@pytest.mark.parametrize(
    ("slug", "direct"),
    [
        # CO2 7.875, CH4 0.01328, N2O 9.99e-5, CF4 7.725e-5, C2F6 1.065e-5, CO2 in air 0.04619
        ("aluminium_primary_ingot", 8.9536),
        ("steel_sheet_hot_rolled", 2.3055),  # CO2 2.271, CH4 0.001129, biogenic CO2 1.8e-4
        ("hdpe", 1.9657),  # CO2 1.449, CH4 0.01679 + 0.000381, N2O 1.93e-5
        ("air_freight", 1.0528),  # CO2 only; the kerosene it burns has no provider
    ],
)
def test_an_aggregated_dataset_is_its_own_exchanges(slug: str, direct: float) -> None:
    """Datasets whose inputs link to nothing else: the value is their own gases × GWP."""
    pick = next(p for p in script().PICKS if p.slug == slug)
    assert direct_co2e(pick.process_id) == pytest.approx(direct, rel=1e-4)
    assert by_key()[slug].value == pytest.approx(direct_co2e(pick.process_id), rel=1e-5)


def test_the_truck_is_its_tailpipe_plus_its_diesel() -> None:
    """Per t*km the dataset burns 0.027224 l of diesel and emits 0.079876 kg CO2, 1.2883e-6 kg
    CH4 and 1.9932e-6 kg N2O: 0.080458 kg CO2e (AR6) at the tailpipe. Every input upstream
    adds a non-negative amount, so the value is at least that; supplying diesel emits less
    than burning it, so it stays below twice that. Within the band, the value is exactly the
    tailpipe plus the litres times the release's diesel footprint, which the refinery
    allocation inflates (the note says so)."""
    pick = next(p for p in script().PICKS if p.slug == "truck_diesel")
    exchanges = process_json(pick.process_id)["exchanges"]
    litres = next(e["amount"] for e in exchanges if e["flow"]["name"] == "Diesel, at refinery")
    tailpipe = direct_co2e(pick.process_id)
    assert (litres, tailpipe) == (0.027224, pytest.approx(0.080458, rel=1e-4))
    truck = by_key()["truck_diesel"]
    assert tailpipe < truck.value < 2 * tailpipe
    computed = _computed(release())
    inventory, linked = computed.computed.inventory, computed.computed.linked
    refinery = next(
        i for i, p in enumerate(linked.providers)
        if inventory.processes[p.process_id].name == "Crude oil, in refinery"
    )  # fmt: skip
    per_litre = float(computed.footprints.co2e[refinery]) / 1000  # kg CO2e per m3 → per l
    assert truck.value == pytest.approx(tailpipe + litres * per_litre, rel=1e-5)
    assert "'Crude oil, in refinery' (reference product 'Diesel, at refinery'" in (
        truck.source.note or ""
    )
