"""Accounting a model by hand-worked sums: both electricity variants, allocation, supplier
footprints, biogenic carbon, sub-models, uncertainty and the errors that name where."""

from __future__ import annotations

import copy

import pytest

from pcfhub.accounting.calculate import account, headline_variant
from pcfhub.accounting.model import ProductModel
from pcfhub.errors import InvalidInputError
from tests.accounting.builders import model, resolved, widget

# Location: 10 kWh × 0.5 + 2 kg × 1.1 × 2.0 + 0.001 kg CH4 × 29.8 + 1 t·km × 0.1.
LOCATION = 5.0 + 4.4 + 0.0298 + 0.1
# Market: 4 kWh wind × 0.0336 + 6 kWh at the grid factor (no residual factor given).
MARKET = 4 * 0.0336 + 6 * 0.5 + 4.4 + 0.0298 + 0.1


def test_location_and_market_based_totals_match_the_hand_sums() -> None:
    result = account(model(), resolved(), iterations=0)
    assert result.location_based.total == pytest.approx(LOCATION, rel=1e-12)
    assert result.market_based.total == pytest.approx(MARKET, rel=1e-12)
    assert result.headline == "market"  # the model claims certificates and no rule forbids


def test_residual_factor_prices_the_uncovered_kilowatt_hours() -> None:
    data = widget()
    data["processes"][0]["exchanges"][0]["residual"] = {"key": "test.residual"}
    result = account(ProductModel.model_validate(data), resolved(), iterations=0)
    assert result.market_based.total == pytest.approx(MARKET - 6 * 0.5 + 6 * 0.6, rel=1e-12)
    assert result.location_based.total == pytest.approx(LOCATION, rel=1e-12)
    kinds = {line.kind: line.co2e_kg for line in result.market_based.by_input}
    assert kinds["electricity:green_certificate"] == pytest.approx(4 * 0.0336)
    assert kinds["electricity:remainder"] == pytest.approx(3.6)


def test_breakdowns_add_up_to_the_total() -> None:
    result = account(model(), resolved(), iterations=0).location_based
    assert sum(line.co2e_kg for line in result.by_input) == pytest.approx(result.total)
    assert sum(result.by_stage.values()) == pytest.approx(result.total)
    assert result.by_stage["raw_materials"] == pytest.approx(4.4)
    assert result.by_stage["production"] == pytest.approx(5.1298)
    assert sum(p.co2e_kg for p in result.by_process) == pytest.approx(result.total)
    assert sum(g.co2e_kg for g in result.by_gas) == pytest.approx(result.total)
    gases = {g.flow: g.kg for g in result.by_gas}
    # CH4: 1 g direct + 2.2 kg steel × 0.01 kg/kg.
    assert gases["CH4 fossil (fossil)"] == pytest.approx(0.001)
    assert gases["CH4 fossil"] == pytest.approx(0.022)
    assert result.fossil == pytest.approx(result.total)
    assert result.biogenic_emissions == result.land_use_change == 0


def test_primary_share_and_rating_weight_each_input_by_its_contribution() -> None:
    data = widget()
    data["processes"][1]["exchanges"][0]["pedigree"] = dict(
        reliability=2, completeness=2, temporal=2, geographical=2, technological=2
    )
    result = account(ProductModel.model_validate(data), resolved(), iterations=0).location_based
    # Primary: electricity 5.0 and CH4 0.0298 of 9.5298.
    assert result.primary_data_share == pytest.approx(5.0298 / LOCATION)
    # Steel rated 2, everything else unrated (5).
    assert result.data_quality_rating == pytest.approx((4.4 * 2 + 5.1298 * 5) / LOCATION)
    assert result.unrated_share == pytest.approx(5.1298 / LOCATION)


def test_co_products_carry_their_share_by_mass_or_price() -> None:
    data = widget()
    frame = data["processes"][1]
    frame.update(
        output_mass_kg=1.0,
        output_price=10.0,
        coproducts=[{"name": "scrap", "amount": 0.25, "unit": "kg", "mass_kg": 0.25, "price": 0.5}],
    )
    physical = account(ProductModel.model_validate(data), resolved(), iterations=0)
    assert physical.location_based.by_stage["raw_materials"] == pytest.approx(4.4 * 1 / 1.25)
    assert physical.provenance.allocations["frame"] == ("physical", pytest.approx(0.8))
    frame["allocation"] = "economic"
    economic = account(ProductModel.model_validate(data), resolved(), iterations=0)
    assert economic.location_based.by_stage["raw_materials"] == pytest.approx(4.4 * 10 / 10.5)


def test_allocation_without_the_data_it_needs_names_the_process() -> None:
    data = widget()
    data["processes"][1]["coproducts"] = [{"name": "scrap", "amount": 1, "unit": "kg"}]
    with pytest.raises(InvalidInputError, match=r"processes\[1\] \(frame\).*co-products"):
        account(ProductModel.model_validate(data), resolved(), iterations=0)


def test_supplier_footprint_keeps_its_origins_and_removals() -> None:
    data = widget()
    data["processes"][1]["exchanges"] = [
        {
            "kind": "supplier",
            "supplier": "Chongqing Steel",
            "amount": 1100,
            "unit": "g",
            "data_type": "primary",
            "footprint": {
                "per_unit": "kg",
                "total": 1.8,
                "fossil": 1.5,
                "biogenic_emission": 0.1,
                "land_use_change": 0.05,
                "biogenic_removal": 0.2,
                "data_quality_rating": 1.5,
                "primary_data_share": 0.6,
            },
        }
    ]
    result = account(ProductModel.model_validate(data), resolved(), iterations=0).location_based
    amount = 2 * 1.1
    assert result.by_stage["raw_materials"] == pytest.approx(amount * (1.8 - 0.2))
    assert result.biogenic_emissions == pytest.approx(amount * 0.1)
    assert result.biogenic_removals == pytest.approx(-amount * 0.2)
    assert result.land_use_change == pytest.approx(amount * 0.05)
    assert result.not_split == pytest.approx(amount * 0.15)
    supplier = next(line for line in result.by_input if line.kind == "supplier")
    assert supplier.rating == 1.5
    primary = 5.0 + 0.0298 + 0.6 * amount * 1.6
    assert result.primary_data_share == pytest.approx(primary / result.total)


def test_biogenic_removal_of_a_factor_counts_negative_and_apart() -> None:
    data = widget()
    data["processes"][1]["exchanges"] = [
        {"kind": "activity", "factor": {"key": "test.wood"}, "amount": 1, "unit": "kg"}
    ]
    result = account(ProductModel.model_validate(data), resolved(), iterations=0).location_based
    assert result.biogenic_removals == pytest.approx(-2 * 1.5)
    assert result.biogenic_emissions == pytest.approx(2 * 0.2)
    assert result.by_stage["raw_materials"] == pytest.approx(2 * -1.0)


def test_a_co2e_only_factor_of_another_gwp_set_is_used_as_published_and_noted() -> None:
    data = widget()
    data["processes"][1]["exchanges"][0]["factor"] = {"key": "test.co2e-only"}
    result = account(ProductModel.model_validate(data), resolved(), iterations=0)
    assert result.location_based.not_split == pytest.approx(2 * 1.1 * 3.0)
    assert any("AR5" in note for note in result.provenance.notes)


def test_another_model_of_the_company_joins_the_matrices() -> None:
    frame_model = widget(code="frame-line")
    frame_model["product"] = dict(
        frame_model["product"], reference_process="frame", declared_unit={"amount": 1, "unit": "kg"}
    )
    frame_model["processes"] = [frame_model["processes"][1]]
    data = widget()
    data["processes"][0]["exchanges"][1] = {
        "kind": "model",
        "model": "frame-line",
        "amount": 2,
        "unit": "kg",
    }
    data["processes"] = [data["processes"][0]]
    result = account(
        ProductModel.model_validate(data),
        resolved(),
        submodels={"frame-line": ProductModel.model_validate(frame_model)},
        submodel_versions={"frame-line": 3},
        iterations=0,
    )
    assert result.location_based.total == pytest.approx(LOCATION)
    assert {p.process for p in result.location_based.by_process} >= {"frame-line/frame"}
    assert result.provenance.submodels == {"frame-line": 3}


def test_models_that_take_each_other_as_inputs_are_refused() -> None:
    a = widget(code="a")
    a["processes"][1]["exchanges"] = [{"kind": "model", "model": "b", "amount": 1, "unit": "kg"}]
    b = copy.deepcopy(a)
    b["code"] = "b"
    b["processes"][1]["exchanges"] = [{"kind": "model", "model": "a", "amount": 1, "unit": "kg"}]
    models = {m["code"]: ProductModel.model_validate(m) for m in (a, b)}
    with pytest.raises(InvalidInputError, match="a → b → a"):
        account(models["a"], resolved(), submodels=models, iterations=0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d["processes"][0]["exchanges"][0]["instruments"][0].update(amount=11),
            "cover 11 kWh, more than the 10 kWh",
        ),
        (
            lambda d: d["processes"][1]["exchanges"][0].update(unit="kWh"),
            r"processes\[1\] \(frame\)\.exchanges\[0\]",
        ),
        (
            lambda d: d["processes"][1]["exchanges"][0]["factor"].update(key="test.missing"),
            "no published factor 'test.missing'",
        ),
        (lambda d: d["product"]["declared_unit"].update(unit="kg"), "product.declared_unit"),
    ],
)
def test_bad_models_fail_with_where_and_why(change, message) -> None:  # type: ignore[no-untyped-def]
    data = widget()
    change(data)
    with pytest.raises(InvalidInputError, match=message):
        account(ProductModel.model_validate(data), resolved(), iterations=0)


def test_monte_carlo_spreads_around_the_total_and_is_reproducible() -> None:
    data = widget()
    for process in data["processes"]:
        for exchange in process["exchanges"]:
            exchange["gsd"] = 1.2
    first = account(ProductModel.model_validate(data), resolved(), iterations=200, seed=7)
    again = account(ProductModel.model_validate(data), resolved(), iterations=200, seed=7)
    spread = first.uncertainty
    assert spread is not None
    assert spread == again.uncertainty
    assert spread.percentiles["2.5"] < first.result.total < spread.percentiles["97.5"]
    assert spread.std > 0
    assert sum(count for _, count in spread.histogram) == 200


def test_headline_is_location_based_without_instruments() -> None:
    data = widget()
    data["processes"][0]["exchanges"][0]["instruments"] = []
    assert headline_variant(ProductModel.model_validate(data), None) == "location"
