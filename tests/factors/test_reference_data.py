"""The shipped reference factor data: it loads through the template, cites its sources, and
its CO2e totals agree with the GWP100 sets; anchor values guard against typos."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import pcfhub
from pcfhub.factors import gwp
from pcfhub.factors.model import FactorData, Gas, Traceability
from pcfhub.factors.tabular import read_csv

DATA = Path(pcfhub.__file__).parent / "data"
FACTORS = DATA / "factors"
FACTOR_FILES = ("cn_electricity.csv", "cn_electricity_footprint.csv", "ipcc2006_fuels.csv")
PROPERTIES = FACTORS / "ipcc2006_fuel_properties.csv"


def _factors(name: str) -> list[FactorData]:
    return read_csv(FACTORS / name)


def _all() -> list[FactorData]:
    return [factor for name in FACTOR_FILES for factor in _factors(name)]


def _by_key() -> dict[str, FactorData]:
    return {factor.lineage_key: factor for factor in _all()}


@pytest.mark.parametrize("name", FACTOR_FILES)
def test_file_loads_through_the_template(name: str) -> None:
    assert _factors(name)


def test_every_row_cites_a_source() -> None:
    for factor in _all():
        source = factor.source
        assert source.publisher, factor.lineage_key
        assert source.document, factor.lineage_key
        assert source.year, factor.lineage_key
        assert source.table, factor.lineage_key
        if source.traceability is Traceability.UNVERIFIED:
            assert source.note, factor.lineage_key
            assert "UNVERIFIED" in source.note, factor.lineage_key
        else:
            assert source.url, factor.lineage_key


def test_lineage_keys_are_unique_across_files() -> None:
    keys = [factor.lineage_key for factor in _all()]
    assert len(keys) == len(set(keys))


def test_value_is_gas_sum_times_gwp100() -> None:
    checked = 0
    for factor in _all():
        if not factor.gases:
            continue
        total = gwp.co2e({gas.value: amount for gas, amount in factor.gases.items()},
                         factor.gwp_set)  # fmt: skip
        assert factor.value == pytest.approx(total, rel=1e-6), factor.lineage_key
        checked += 1
    assert checked > 0


def test_properties_have_sources_and_positive_numbers() -> None:
    with PROPERTIES.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        for column in ("source_publisher", "source_document", "source_table", "source_year",
                       "source_url", "source_traceability"):  # fmt: skip
            assert row[column].strip(), (row["fuel"], column)
        Traceability(row["source_traceability"])
        assert float(row["ncv_tj_per_gg"]) > 0
        assert float(row["carbon_content_kg_c_per_gj"]) > 0
    fuels = {row["fuel"] for row in rows}
    factor_fuels = {f.activity.split(".")[1] for f in _factors("ipcc2006_fuels.csv")}
    assert fuels == factor_fuels


def test_ipcc_co2_factor_is_carbon_content_times_44_over_12() -> None:
    with PROPERTIES.open(encoding="utf-8", newline="") as handle:
        carbon = {r["fuel"]: float(r["carbon_content_kg_c_per_gj"]) for r in csv.DictReader(handle)}
    for factor in _factors("ipcc2006_fuels.csv"):
        fuel = factor.activity.split(".")[1]
        derived = carbon[fuel] * 44 / 12 * 1000  # kg CO2 per TJ
        assert factor.gases[Gas.CO2_FOSSIL] == pytest.approx(derived, rel=5e-3), fuel


@pytest.mark.parametrize(
    ("key", "value", "geography"),
    [
        ("cn.mee.electricity.grid.national.2023", 0.5306, "CN"),
        ("cn.mee.electricity.grid.national.2022", 0.5366, "CN"),
        ("cn.mee.electricity.grid.residual.national.2023", 0.6096, "CN"),
        ("cn.mee.electricity.grid.fossil.national.2023", 0.8273, "CN"),
        ("cn.mee.electricity.grid.region.sw.2023", 0.2472, "CN-GRID-SW"),
        ("cn.mee.electricity.grid.region.sw.2022", 0.2268, "CN-GRID-SW"),
        ("cn.mee.electricity.grid.region.n.2022", 0.6776, "CN-GRID-N"),
        ("cn.mee.electricity.footprint.national.2023", 0.6205, "CN"),
        ("cn.mee.electricity.footprint.national.2024", 0.5777, "CN"),
        ("ipcc2006.fuel.natural_gas.co2", 56100.0, "GLO"),
        ("ipcc2006.fuel.gas_diesel_oil.co2", 74100.0, "GLO"),
        ("ipcc2006.fuel.other_bituminous_coal.co2", 94600.0, "GLO"),
    ],
)
def test_anchor_values(key: str, value: float, geography: str) -> None:
    factor = _by_key()[key]
    assert factor.value == value
    assert factor.geography == geography


@pytest.mark.parametrize(("year", "value"), [(2021, 0.4743), (2022, 0.5227), (2023, 0.5581)])
def test_chongqing_is_traced_in_two_transcriptions_naming_the_announcement(
    year: int, value: float
) -> None:
    factor = _by_key()[f"cn.mee.electricity.grid.province.cq.{year}"]
    assert (factor.geography, factor.reference_year, factor.value) == ("CN-CQ", year, value)
    assert factor.source.traceability is Traceability.SECONDARY
    assert "公告" in factor.source.document
    assert "edg127117/building-energy-carbon-platform" in (factor.source.url or "")
    assert "leo21468/CarbonCalculator" in (factor.source.note or "")


def test_the_southwest_grid_has_every_year_chongqing_has() -> None:
    years = {
        f.reference_year
        for f in _all()
        if f.geography == "CN-GRID-SW" and f.activity == "electricity.grid"
    }
    assert years == {2021, 2022, 2023}


def test_no_shipped_row_is_unverified_without_saying_so() -> None:
    for factor in _all():
        note = factor.source.note or ""
        assert (factor.source.traceability is Traceability.UNVERIFIED) == note.startswith(
            "UNVERIFIED"
        ), factor.lineage_key


def test_footprint_factors_are_co2e_totals_over_the_life_cycle() -> None:
    for factor in _factors("cn_electricity_footprint.csv"):
        assert not factor.gases
        assert factor.boundary.value == "life_cycle"
        assert factor.gwp_set == "unstated"
