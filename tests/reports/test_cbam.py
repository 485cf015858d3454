"""CBAM embedded emissions per tonne of good: the installation's direct and indirect
emissions, precursors, what is left out, the CN code checked against Annex I, and the xlsx
read back."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from pcfhub.reports.cbam import CbamDeclaration, CbamRequest, cbam_declaration, cn_entry
from pcfhub.reports.cbam_workbook import cbam_xlsx, read_sections
from pcfhub.reports.declarations_model import DeclarationError
from tests.reports.declaration_builders import CBAM_FIELDS, SHEET, sheet, stored


def _declare(data: dict, **fields: object) -> CbamDeclaration:
    result, model = stored(data)
    return cbam_declaration(result, model, CbamRequest.model_validate(CBAM_FIELDS | fields))


def test_direct_indirect_and_precursors_per_tonne() -> None:
    declaration = _declare(sheet())
    e = declaration.emissions
    assert e.specific_direct == pytest.approx(SHEET["direct"])
    assert e.specific_indirect == pytest.approx(SHEET["indirect"])
    assert e.electricity_mwh_per_t == pytest.approx(SHEET["mwh"])
    assert e.electricity_factor_t_co2e_per_mwh == pytest.approx(SHEET["factor"])
    assert e.electricity_factor_sources == ["pcfhub tests, illustrative (2026)"]
    (precursor,) = declaration.precursors
    assert precursor.process == "ingot"
    assert precursor.quantity_t_per_t_good == pytest.approx(SHEET["precursor_t"])
    assert precursor.direct_t_co2e_per_t_good == pytest.approx(SHEET["precursor_direct"])
    assert precursor.indirect_t_co2e_per_t_good == pytest.approx(SHEET["precursor_indirect"])
    assert precursor.specific_t_co2e_per_t_precursor == pytest.approx(2.25)
    assert e.specific_total == pytest.approx(SHEET["total"])
    assert e.total_t == pytest.approx(10 * SHEET["total"])
    (packaging,) = declaration.excluded
    assert (packaging.reason, packaging.t_co2e_per_t) == ("packaging", pytest.approx(0.01))
    # Everything the result holds is declared or listed as left out.
    result, _ = stored(sheet())
    assert 1000 * (e.specific_total + packaging.t_co2e_per_t) == pytest.approx(result.total)
    assert declaration.goods.sector == "aluminium"
    assert declaration.goods.greenhouse_gases == ["CO2", "PFCs"]
    assert declaration.goods.indirect_emissions_count is False
    assert declaration.installation.country == "CN"


def test_a_good_not_declared_per_mass_needs_its_mass() -> None:
    with pytest.raises(DeclarationError, match="mass_per_declared_unit_t"):
        _declare(sheet(per_piece=True))
    coil = _declare(sheet(per_piece=True), mass_per_declared_unit_t=2.0)
    assert coil.emissions.specific_total == pytest.approx(SHEET["total"])
    assert coil.emissions.electricity_mwh_per_t == pytest.approx(SHEET["mwh"])
    assert coil.precursors[0].quantity_t_per_t_good == pytest.approx(SHEET["precursor_t"])


def test_without_a_production_process_there_is_no_installation() -> None:
    data = sheet()
    data["processes"][0]["stage"] = "raw_materials"
    with pytest.raises(DeclarationError, match="stage production"):
        _declare(data)


@pytest.mark.parametrize(
    ("code", "sector", "direct_only"),
    [
        ("7606 12 99", "aluminium", True),
        ("7616 99 10", "aluminium", True),
        ("7208 51 20", "iron_and_steel", True),
        ("7202 11 20", "iron_and_steel", True),  # ferro-manganese is not excepted
        ("2601 12 00", "iron_and_steel", False),
        ("2523 29 00", "cement", False),
        ("3105 20 10", "fertilisers", False),
        ("2804 10 00", "hydrogen", True),
        ("2716 00 00", "electricity", True),
    ],
)
def test_cn_codes_in_annex_i(code: str, sector: str, direct_only: bool) -> None:
    entry = cn_entry(code)
    assert (entry.sector, entry.direct_only) == (sector, direct_only)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("7615 10 10", "not a good in the scope"),  # household articles of aluminium
        ("7602 00 19", "not a good in the scope"),  # aluminium waste and scrap
        ("8708 70 10", "not a good in the scope"),  # road wheels
        ("7202 21 00", "not a good in the scope"),  # ferro-silicon, excepted
        ("7204 49 00", "not a good in the scope"),  # ferrous scrap, excepted
        ("3105 60 00", "not a good in the scope"),
        ("7202", "excepted"),  # partly excepted: the full code decides
        ("2523", "wider than"),
        ("76", "not a CN code"),
        ("7606 1", "not a CN code"),
    ],
)
def test_cn_codes_out_of_scope_or_ambiguous(code: str, why: str) -> None:
    with pytest.raises(DeclarationError, match=why):
        cn_entry(code)


def test_the_request_refuses_malformed_fields() -> None:
    for field, value in [
        ("reporting_period", "2026-Q5"),
        ("installation_country", "China"),
        ("quantity_t", -1),
        ("direct_determination", "estimated"),
    ]:
        with pytest.raises(ValueError, match=field):
            CbamRequest.model_validate(CBAM_FIELDS | {field: value})


def test_the_json_round_trips() -> None:
    declaration = _declare(sheet())
    assert CbamDeclaration.model_validate_json(declaration.model_dump_json()) == declaration


def test_the_workbook_reads_back_section_by_section() -> None:
    declaration = _declare(sheet(), installation_identifier="CN XIN")
    content = cbam_xlsx(declaration)
    assert cbam_xlsx(declaration) == content  # same declaration, same bytes
    cells = read_sections(content)
    assert cells["Reporting period / 报告期"] == "2026-Q1"
    assert cells["CN code / CN编码"] == "7606 12 99"
    assert cells["Quantity (t) / 数量（吨）"] == 10.0
    assert cells["Name / 名称"] == "Xinan rolling mill"
    assert cells["Identifier / 标识"] == "CN XIN"
    assert cells["Production route / 生产路线"] == "Rolling of purchased ingot"
    e = declaration.emissions
    assert (
        cells["Specific direct embedded emissions (t CO2e/t) / 特定直接隐含排放"]
        == e.specific_direct
    )
    assert cells["Electricity consumed (MWh/t) / 耗电量"] == e.electricity_mwh_per_t
    assert cells["Electricity emission factor (t CO2e/MWh) / 电力排放因子"] == pytest.approx(0.5)
    assert (
        cells["Source of the emission factor / 排放因子来源"] == "pcfhub tests, illustrative (2026)"
    )
    assert cells["Direct: actual or default / 直接排放：实际值或默认值"] == "actual"
    assert cells[
        "Embedded emissions of the quantity (t CO2e) / 该数量的隐含排放合计"
    ] == pytest.approx(e.total_t)
    assert cells["Ingot"] == "ingot"  # the precursor row: name, then process
    assert str(declaration.basis.result_id) in cells.values()


def test_text_is_never_a_formula_and_control_characters_are_refused() -> None:
    hostile = '=HYPERLINK("http://evil.example.com","click")'
    declaration = _declare(sheet(), installation_name=hostile)
    workbook = load_workbook(io.BytesIO(cbam_xlsx(declaration)))
    cells = [c for row in workbook.active.iter_rows() for c in row if c.value == hostile]
    assert len(cells) == 1
    assert cells[0].data_type == "s"  # text, not a formula
    with pytest.raises(ValueError, match="installation_name"):
        CbamRequest.model_validate(CBAM_FIELDS | {"installation_name": "A\x01B"})


def test_only_the_installations_own_emissions_are_direct() -> None:
    """A fuel burnt on site (a combustion factor) is direct; a bought input's cradle-to-gate
    factor is not the installation's emission: excluded, with the reason."""
    data = sheet()
    rolling = data["processes"][0]
    rolling["exchanges"].append(
        {"kind": "activity", "factor": {"key": "test.steel"}, "amount": 3, "unit": "kg"}
    )
    result, model = stored(data)
    request = CbamRequest.model_validate(CBAM_FIELDS)
    upstream = cbam_declaration(result, model, request, factor_boundaries={})
    assert upstream.emissions.specific_direct == pytest.approx(SHEET["direct"])
    (bought,) = [x for x in upstream.excluded if x.reason.startswith("factor boundary")]
    assert bought.t_co2e_per_t == pytest.approx(3 * 2.0 / 1000)  # 3 kg × 2.0 kg/kg, per t
    assert "unknown" in bought.reason
    burnt = cbam_declaration(result, model, request, factor_boundaries={"test.steel": "combustion"})
    assert burnt.emissions.specific_direct == pytest.approx(SHEET["direct"] + 3 * 2.0 / 1000)
    assert not [x for x in burnt.excluded if x.reason.startswith("factor boundary")]
