"""PACT v2/v3 footprints from accounting results, validated against the official OpenAPI schemas.

The widget (tests/accounting/builders.py) per piece, market-based, AR6, worked by hand:
electricity 4 kWh wind × 0.0336 + 6 kWh grid × 0.5 = 3.1344; frame 2 × 1.1 kg steel × 2.0 = 4.4;
1 g CH4 × 29.8 = 0.0298; truck 1 t·km × 0.1 = 0.1: total 7.6642 kg CO2e, all fossil.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pcfhub.accounting.calculate import AccountingResult, account
from pcfhub.accounting.model import ProductModel
from pcfhub.exchange.pact import FootprintContext, to_pact_v2, to_pact_v3
from pcfhub.exchange.pact_units import V2_UNITS, PactMappingError, decimal, pact_unit
from tests.accounting.builders import model, resolved, widget
from tests.support.shared import shared_path
from tests.support.skips import in_ci

WIDGET_TOTAL = 7.6642


def reference(*parts: str) -> Path:
    path = shared_path("reference", "pact", *parts)
    if not path.exists():
        reason = f"{path} is missing: the shared PACT specification is not on this machine"
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path


@cache
def _validator(version: str) -> jsonschema.protocols.Validator:
    spec = yaml.safe_load(reference(version, "openapi.yaml").read_text(encoding="utf-8"))
    # The ProductFootprint schema; its $refs ("#/components/schemas/…") resolve in this root.
    schema = {"$ref": "#/components/schemas/ProductFootprint", "components": spec["components"]}
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(version: str, footprint: dict[str, Any]) -> list[str]:
    return [f"{list(e.path)}: {e.message}" for e in _validator(version).iter_errors(footprint)]


def context(**changes: Any) -> FootprintContext:
    data: dict[str, Any] = {
        "id": uuid.UUID("3f0ad0b4-6c52-4d6e-9a8e-0d1f6f1f8a01"),
        "company_name": "Chongqing Widget Co.",
        "company_ids": ["urn:pact:company:customcode:vendor-assigned:4321"],
        "product_ids": ["urn:pact:widgets.example.com:product-id:W-1"],
        "created": datetime(2026, 1, 15, 8, 30, tzinfo=UTC),
        "cpc_code": "45220",
        "product_mass_kg": 2.2,
        "fossil_carbon_content_kg": 0.0,
        "biogenic_carbon_content_kg": 0.0,
    }
    return FootprintContext.model_validate(data | changes)


@cache
def _widget() -> tuple[AccountingResult, ProductModel]:
    m = model()
    return account(m, resolved(), iterations=0), m


def test_widget_v3_numbers_by_hand() -> None:
    result, m = _widget()
    doc = to_pact_v3(result, m, context())
    pcf = doc["pcf"]
    assert errors("v3", doc) == []
    # v3 CarbonFootprint x-comment: excluding = fossil + LUC + biogenic non-CO2 (+ terms pcfhub
    # does not model); including = excluding + biogenicCO2Uptake.
    assert float(pcf["pcfExcludingBiogenicUptake"]) == pytest.approx(WIDGET_TOTAL)
    assert float(pcf["pcfIncludingBiogenicUptake"]) == pytest.approx(WIDGET_TOTAL)
    assert float(pcf["fossilGhgEmissions"]) == pytest.approx(WIDGET_TOTAL)
    assert pcf["declaredUnitOfMeasurement"] == "piece"
    assert pcf["declaredUnitAmount"] == "1"
    assert pcf["productMassPerDeclaredUnit"] == "2.2"
    assert pcf["geographyCountrySubdivision"] == "CN-CQ"  # the assembly's location
    assert pcf["referencePeriodStart"] == "2025-01-01T00:00:00Z"
    assert pcf["referencePeriodEnd"] == "2026-01-01T00:00:00Z"  # exclusive
    # primary: electricity 3.1344 + CH4 0.0298 of 7.6642 by magnitude.
    assert float(pcf["primaryDataShare"]) == pytest.approx(3.1642 / WIDGET_TOTAL * 100)
    assert pcf["ipccCharacterizationFactors"] == ["AR6"]
    assert doc["productClassifications"] == ["urn:cpc:45220"]
    assert "version" not in doc


def test_widget_v2_per_kilogram() -> None:
    """v2 has no piece (§DeclaredUnit): per kilogram, unitaryProductAmount the piece's mass."""
    result, m = _widget()
    doc = to_pact_v2(result, m, context(updated=datetime(2026, 2, 1, tzinfo=UTC)))
    pcf = doc["pcf"]
    assert errors("v2", doc) == []
    assert pcf["declaredUnit"] == "kilogram"
    assert pcf["unitaryProductAmount"] == "2.2"
    assert pcf["productMassPerDeclaredUnit"] == "1"
    assert float(pcf["pCfExcludingBiogenic"]) == pytest.approx(WIDGET_TOTAL / 2.2)
    assert float(pcf["pCfIncludingBiogenic"]) == pytest.approx(WIDGET_TOTAL / 2.2)
    assert pcf["dLucGhgEmissions"] == "0"
    assert pcf["biogenicCarbonWithdrawal"] == "0"
    assert pcf["crossSectoralStandardsUsed"] == ["ISO Standard 14067"]
    assert pcf["characterizationFactors"] == "AR6"
    assert pcf["primaryDataShare"] == pytest.approx(3.1642 / WIDGET_TOTAL * 100)
    assert doc["productCategoryCpc"] == "45220"
    assert doc["version"] == 1
    assert doc["updated"] == "2026-02-01T00:00:00Z"


def _wood_widget() -> tuple[AccountingResult, ProductModel]:
    """The widget with 0.5 kg wood in the frame: 0.5 × (0.3 fossil + 0.2 biogenic − 1.5)."""
    data = widget()
    frame = data["processes"][1]
    frame["exchanges"] = [
        *frame["exchanges"],
        {"kind": "activity", "factor": {"key": "test.wood"}, "amount": 0.5, "unit": "kg"},
    ]
    m = model(data)
    return account(m, resolved(), iterations=0), m


def test_biogenic_terms_by_hand() -> None:
    result, m = _wood_widget()
    # Per piece: 2 kg frame × 0.5 kg wood = 1 kg wood: +0.3 fossil, +0.2 biogenic CO2, −1.5.
    fossil = WIDGET_TOTAL + 0.3
    with pytest.raises(PactMappingError, match="pcfIncludingBiogenicUptake"):
        to_pact_v3(result, m, context(biogenic_carbon_content_kg=None))
    ctx = context(biogenic_carbon_content_kg=0.3)  # kg C held in the wood of one widget
    uptake = -0.3 * 44.009 / 12.011
    v3 = to_pact_v3(result, m, ctx)
    assert errors("v3", v3) == []
    assert float(v3["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(fossil)
    assert float(v3["pcf"]["biogenicCO2Uptake"]) == pytest.approx(uptake)
    assert float(v3["pcf"]["pcfIncludingBiogenicUptake"]) == pytest.approx(fossil + uptake)
    assert float(v3["pcf"]["biogenicCarbonContent"]) == pytest.approx(0.3)
    v2 = to_pact_v2(result, m, ctx)
    assert errors("v2", v2) == []
    pcf = v2["pcf"]
    assert float(pcf["pCfExcludingBiogenic"]) == pytest.approx(fossil / 2.2)
    # Including all biogenic emissions and removals: pcfhub's total.
    assert float(pcf["pCfIncludingBiogenic"]) == pytest.approx(result.result.total / 2.2)
    assert result.result.total == pytest.approx(fossil + 0.2 - 1.5)
    assert float(pcf["otherBiogenicGhgEmissions"]) == pytest.approx(0.2 / 2.2)
    assert float(pcf["biogenicCarbonWithdrawal"]) == pytest.approx(uptake / 2.2)


def test_per_kilogram_model_is_unscaled_in_v3_and_per_kg_in_v2() -> None:
    data = widget()
    data["product"]["declared_unit"] = {"amount": 1, "unit": "t"}
    data["processes"][0]["output"] = {"amount": 1, "unit": "kg"}  # read: a kilogram of widgets
    m = model(data)
    result = account(m, resolved(), iterations=0)
    ctx = context(product_mass_kg=None)
    v3 = to_pact_v3(result, m, ctx)
    assert (v3["pcf"]["declaredUnitOfMeasurement"], v3["pcf"]["declaredUnitAmount"]) == (
        "kilogram",
        "1000",
    )
    assert v3["pcf"]["productMassPerDeclaredUnit"] == "1000"
    v2 = to_pact_v2(result, m, ctx)
    assert v2["pcf"]["unitaryProductAmount"] == "1000"
    assert result.result.total == pytest.approx(WIDGET_TOTAL * 1000)
    assert float(v3["pcf"]["pcfExcludingBiogenicUptake"]) == pytest.approx(WIDGET_TOTAL * 1000)
    assert float(v2["pcf"]["pCfExcludingBiogenic"]) == pytest.approx(WIDGET_TOTAL)
    assert errors("v2", v2) == []
    assert errors("v3", v3) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product_mass_kg": None}, "productMassPerDeclaredUnit"),
        ({"fossil_carbon_content_kg": None}, "fossilCarbonContent"),
        ({"geography": "Chongqing"}, "geography"),
    ],
)
def test_v3_refuses_unknown_required_numbers(changes: dict[str, Any], field: str) -> None:
    result, m = _widget()
    with pytest.raises(PactMappingError, match=field):
        to_pact_v3(result, m, context(**changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product_mass_kg": None}, "declare the model per kilogram"),
        ({"cpc_code": None}, "productCategoryCpc"),
        ({"biogenic_carbon_content_kg": None}, "biogenicCarbonContent"),
        ({"exempted_emissions_percent": 6.0}, "at most 5"),
    ],
)
def test_v2_refuses_unknown_required_numbers(changes: dict[str, Any], field: str) -> None:
    result, m = _widget()
    with pytest.raises(PactMappingError, match=field):
        to_pact_v2(result, m, context(**changes))


def test_co2e_without_origin_is_not_reported_as_fossil_silently() -> None:
    data = widget()
    data["processes"][1]["exchanges"].append(
        {"kind": "activity", "factor": {"key": "test.co2e-only"}, "amount": 1, "unit": "kg"}
    )
    m = model(data)
    result = account(m, resolved(), iterations=0)
    with pytest.raises(PactMappingError, match="fossilGhgEmissions"):
        to_pact_v3(result, m, context())
    doc = to_pact_v3(result, m, context(count_unsplit_as_fossil=True))
    assert float(doc["pcf"]["fossilGhgEmissions"]) == pytest.approx(result.result.total)


def test_exclusions_need_an_emission_share() -> None:
    data = widget(
        exclusions=[{"name": "Glue", "mass_share": 0.004, "reason": "below the 1% cut-off"}]
    )
    m = model(data)
    result = account(m, resolved(), iterations=0)
    with pytest.raises(PactMappingError, match="exemptedEmissionsPercent"):
        to_pact_v3(result, m, context())
    doc = to_pact_v3(result, m, context(exempted_emissions_percent=0.3))
    assert doc["pcf"]["exemptedEmissionsPercent"] == "0.3"
    assert doc["pcf"]["exemptedEmissionsDescription"] == "Glue (0.4% of mass): below the 1% cut-off"


def test_data_quality_ratings_per_version() -> None:
    result, m = _widget()
    q = {"technological": 2, "temporal": 1.5, "geographical": 2}
    v3 = to_pact_v3(result, m, context(data_quality=q))
    assert v3["pcf"]["dqi"] == {
        "technologicalDQR": "2",
        "geographicalDQR": "2",
        "temporalDQR": "1.5",
    }
    assert errors("v3", v3) == []
    with pytest.raises(PactMappingError, match="needs every rating"):
        to_pact_v2(result, m, context(data_quality=q))
    full = q | {"completeness": 2, "reliability": 3, "coverage_percent": 95}
    v2 = to_pact_v2(result, m, context(data_quality=full))
    assert v2["pcf"]["dqi"]["coveragePercent"] == 95.0
    assert errors("v2", v2) == []


def test_decimal_strings_have_no_exponent() -> None:
    assert [decimal(x) for x in (7.664199999999999, 1e-9, -0.0, 2.0)] == [
        "7.6642",
        "0.000000001",
        "0",
        "2",
    ]


def _examples(version: str) -> list[dict[str, Any]]:
    folder = reference(version, "examples")
    found = []
    for path in sorted(folder.glob("*.json")):
        if path.name.startswith(("error-", "pf-", "invalid-")):
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        data = data.get("data", data)
        found.extend(data if isinstance(data, list) else [data])
    return found


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_official_examples_validate_and_broken_ones_fail(version: str) -> None:
    examples = _examples(version)
    assert examples
    for example in examples:
        assert errors(version, example) == [], example["id"]
    broken = copy.deepcopy(examples[0])
    del broken["pcf"]["fossilGhgEmissions"]
    broken["companyIds"] = ["not-a-urn"]
    assert len(errors(version, broken)) == 2


@pytest.mark.parametrize(("version", "write"), [("v2", to_pact_v2), ("v3", to_pact_v3)])
def test_a_broken_export_fails(version: str, write: Any) -> None:
    result, m = _widget()
    doc = write(result, m, context())
    doc["pcf"]["fossilGhgEmissions"] = -1.5  # a number where PACT wants a decimal string
    doc["pcf"]["geographyCountry"] = "CN"  # a second geography next to CN-CQ
    assert len(errors(version, doc)) >= 2


@pytest.mark.parametrize(
    ("unit", "name", "factor"),
    [
        ("kg", "kilogram", 1.0),
        ("t", "kilogram", 1000.0),
        ("L", "liter", 1.0),
        ("m**3", "cubic meter", 1.0),
        ("Wh", "kilowatt hour", 0.001),
        ("GJ", "megajoule", 1000.0),
        ("t*km", "ton kilometer", 1.0),
        ("Gbit*s", "megabit second", 1000.0),  # v3 only
    ],
)
def test_declared_units_map_to_pact_units(unit: str, name: str, factor: float) -> None:
    assert pact_unit(unit) == (name, pytest.approx(factor))


def test_v2_has_no_megabit_second() -> None:
    with pytest.raises(PactMappingError, match="no PACT equivalent"):
        pact_unit("Mbit*s", allowed=V2_UNITS)
