"""openLCA JSON-LD packages in both schemas: units, categories, allocation, defects, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pcfhub.errors import DataFileError
from pcfhub.lci.footprints import compute_footprints
from pcfhub.lci.jsonld import read_jsonld
from pcfhub.lci.linking import link
from pcfhub.lci.model import AllocationMethod, FlowKind
from tests.lci.builders import (
    CO2,
    ELECTRICITY,
    P_ELECTRICITY,
    P_STEEL,
    SLAG,
    STEEL,
    PackageBuilder,
    _ref,
)
from tests.lci.mapping import TEST_MAPPING

# By hand, AR6: electricity 0.5 + 0.001 × 29.8 = 0.5298 kg CO2e per kWh = 0.14716̄ per MJ.
PER_MJ = 0.5298 / 3.6
# Steel (physical 0.8): 0.8 × (1.8 kg CO2 + 7.2 MJ × PER_MJ) per 1 kg.
STEEL_PER_KG = 0.8 * (1.8 + 7.2 * PER_MJ)
# Slag (0.2): 0.2 × the same burdens per 0.25 kg; its mass share is 0.2 too, so equal per kg.
SLAG_PER_KG = 0.2 * (1.8 + 7.2 * PER_MJ) / 0.25


@pytest.fixture(params=["1.x folder", "2.x zip"])
def package(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "1.x folder":
        return PackageBuilder(v1=True).standard().write_folder(tmp_path / "v1")
    return PackageBuilder(v1=False).standard().write_zip(tmp_path / "v2.zip")


def test_both_schemas_read_to_the_same_inventory(package: Path) -> None:
    inventory = read_jsonld(package)
    assert inventory.source_format.endswith("1.x" if package.name == "v1" else "2.x")
    assert (len(inventory.processes), len(inventory.flows), inventory.exchange_count) == (2, 5, 7)
    assert inventory.flows[CO2].category == "air/unspecified"
    assert inventory.flows[CO2].kind is FlowKind.ELEMENTARY
    assert inventory.flows[ELECTRICITY].unit == "MJ"
    electricity = inventory.processes[P_ELECTRICITY].reference
    assert electricity is not None
    assert electricity.amount == pytest.approx(3.6)  # 1 kWh
    steel_input = [e for e in inventory.processes[P_STEEL].exchanges if e.is_input]
    assert [e.amount for e in steel_input] == pytest.approx([7.2])  # 2 kWh
    assert inventory.warnings == []


def test_footprints_equal_a_calculation_by_hand(package: Path) -> None:
    inventory = read_jsonld(package)
    linked = link(inventory, file=package.name)
    footprints = compute_footprints(inventory, linked, mapping=TEST_MAPPING)
    # λ = A⁻ᵀBᵀc is per unit of each product (per MJ, per kg), whatever amount a column makes.
    by_product = {p.flow_id: footprints.co2e[i] for i, p in enumerate(linked.providers)}
    assert by_product[ELECTRICITY] == pytest.approx(PER_MJ, rel=1e-12)
    assert by_product[STEEL] == pytest.approx(STEEL_PER_KG, rel=1e-12)
    assert by_product[SLAG] == pytest.approx(SLAG_PER_KG, rel=1e-12)
    assert [(a.process_id, a.method) for a in linked.allocations] == [(P_STEEL, "physical (data)")]
    gases = dict(zip(footprints.gases, footprints.per_gas[linked.providers.index(
        next(p for p in linked.providers if p.flow_id == ELECTRICITY))], strict=True))  # fmt: skip
    assert gases["co2_fossil"] == pytest.approx(0.5 / 3.6, rel=1e-12)  # per MJ
    assert gases["ch4_fossil"] == pytest.approx(0.001 / 3.6, rel=1e-12)


def test_an_allocation_factor_without_product_is_a_warning_and_not_used(tmp_path: Path) -> None:
    builder = PackageBuilder(v1=True).standard()
    steel = builder.documents[f"processes/{P_STEEL}.json"]
    steel["allocationFactors"].append(
        {"@type": "AllocationFactor", "allocationType": "CAUSAL_ALLOCATION", "value": 0.0,
         "exchange": {"@type": "Exchange", "flow": _ref("Flow", CO2)}}
    )  # fmt: skip
    inventory = read_jsonld(builder.write_folder(tmp_path / "p"))
    (warning,) = inventory.warnings
    assert warning.field == "allocationFactors"
    assert "1 allocation factor(s) name no product" in warning.message
    assert f"({P_STEEL})" in warning.dataset


def test_without_allocation_factors_the_chosen_method_or_mass_shares_apply(
    tmp_path: Path,
) -> None:
    builder = PackageBuilder(v1=False).standard()
    del builder.documents[f"processes/{P_STEEL}.json"]["allocationFactors"]
    inventory = read_jsonld(builder.write_zip(tmp_path / "p.zip"))
    linked = link(inventory, file="p.zip", allocation=AllocationMethod.ECONOMIC)
    (allocation,) = linked.allocations
    assert allocation.method == "reference product only"  # no economic factors, no prices
    assert [p.flow_id for p in linked.providers if p.process_id == P_STEEL] == [STEEL]
    linked = link(inventory, file="p.zip", allocation=AllocationMethod.PHYSICAL)
    (allocation,) = linked.allocations
    assert allocation.method == "physical (mass shares)"  # 1 kg and 0.25 kg: 0.8 and 0.2
    footprints = compute_footprints(inventory, linked, mapping=TEST_MAPPING)
    steel = next(i for i, p in enumerate(linked.providers) if p.flow_id == STEEL)
    assert footprints.co2e[steel] == pytest.approx(STEEL_PER_KG, rel=1e-12)
    assert any("mass shares were used" in w.message for w in linked.warnings)


def test_a_repeated_exchange_id_is_renumbered_with_a_warning(tmp_path: Path) -> None:
    builder = PackageBuilder(v1=True).standard()
    electricity = builder.documents[f"processes/{P_ELECTRICITY}.json"]
    electricity["exchanges"][2]["@id"] = electricity["exchanges"][1]["@id"]
    inventory = read_jsonld(builder.write_folder(tmp_path / "p"))
    (warning,) = inventory.warnings
    assert warning.field == "exchanges[2]"
    assert "repeats" in warning.message
    assert len(inventory.processes[P_ELECTRICITY].exchanges) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.__setitem__("unit", _ref("Unit", "no-such-unit", "furlong")),
         r"exchanges\[1\]\.unit: unit 'furlong' is not a unit of the flow property"),
        (lambda e: e.__setitem__("flow", _ref("Flow", "no-such-flow")),
         r"exchanges\[1\]\.flow: flow no-such-flow is not in the package"),
        (lambda e: e.__setitem__("amount", "lots"), r"exchanges\[1\]\.amount: 'lots'"),
    ],
)  # fmt: skip
def test_errors_name_file_process_and_field(tmp_path: Path, change, message: str) -> None:
    builder = PackageBuilder(v1=True).standard()
    change(builder.documents[f"processes/{P_ELECTRICITY}.json"]["exchanges"][1])
    with pytest.raises(DataFileError, match=rf"p, processes/{P_ELECTRICITY}\.json, process "
                       rf"'Electricity, at grid' \({P_ELECTRICITY}\), {message}"):  # fmt: skip
        read_jsonld(builder.write_folder(tmp_path / "p"))


def test_bad_json_names_member_line_and_column(tmp_path: Path) -> None:
    folder = PackageBuilder(v1=True).standard().write_folder(tmp_path / "p")
    (folder / "flows" / "broken.json").write_text('{"@id": "x",\n "name": }')
    with pytest.raises(DataFileError, match=r"p, flows/broken\.json, line 2, column 10"):
        read_jsonld(folder)


def test_a_folder_without_processes_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFileError, match="no processes/ folder"):
        read_jsonld(tmp_path / "empty")
