"""The EU battery carbon footprint declaration (Regulation (EU) 2023/1542 Art. 7): the mapping
of a result per kWh delivered, by Annex II stage, and its bilingual PDF looked at as text and
as images."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image

from pcfhub.reports import pdf
from pcfhub.reports.battery import (
    BatteryDeclaration,
    BatteryRequest,
    battery_declaration,
    battery_html,
    battery_pdf,
)
from pcfhub.reports.declarations_model import DeclarationError
from tests.reports.declaration_builders import (
    BATTERY_FIELDS,
    BATTERY_STAGES,
    BATTERY_TOTAL,
    battery,
    stored,
)

TODAY = date(2026, 3, 2)


def _declare(data: dict, **fields: object) -> BatteryDeclaration:
    result, model = stored(data)
    return battery_declaration(
        result, model, BatteryRequest.model_validate(BATTERY_FIELDS | fields), today=TODAY
    )


def test_per_kwh_delivered_by_annex_ii_stage_without_the_use_stage() -> None:
    declaration = _declare(battery())
    assert declaration.carbon_footprint_kg_co2e_per_kwh == pytest.approx(BATTERY_TOTAL)
    by_stage = {s.pcfhub_stage: s for s in declaration.stages}
    assert [s.stage for s in declaration.stages] == [
        "raw_material_acquisition_and_pre_processing",
        "main_product_production",
        "distribution",
        "end_of_life_and_recycling",
    ]
    for stage, value in BATTERY_STAGES.items():
        if stage != "use":
            assert by_stage[stage].kg_co2e_per_kwh == pytest.approx(value), stage
    assert sum(s.share for s in declaration.stages) == pytest.approx(1.0)
    assert declaration.use_stage_excluded_kg_co2e_per_kwh == pytest.approx(0.005)
    assert declaration.energy_delivered_kwh_per_declared_unit == 1.0
    assert declaration.manufacturer.name == BATTERY_FIELDS["manufacturer_name"]
    assert declaration.declaration_date == date(2026, 3, 1)
    assert declaration.basis.model_code == "test-pack"
    assert declaration.basis.electricity_variant == "location"


def test_a_model_declared_per_pack_needs_the_energy_it_delivers() -> None:
    with pytest.raises(DeclarationError, match="energy_delivered_kwh"):
        _declare(battery(per_piece=True))
    declaration = _declare(battery(per_piece=True), energy_delivered_kwh=1000.0)
    assert declaration.carbon_footprint_kg_co2e_per_kwh == pytest.approx(BATTERY_TOTAL)
    assert declaration.energy_delivered_kwh_per_declared_unit == 1000.0
    without_date = {k: v for k, v in BATTERY_FIELDS.items() if k != "declaration_date"}
    result, model = stored(battery())
    dated = battery_declaration(
        result, model, BatteryRequest.model_validate(without_date), today=TODAY
    )
    assert dated.declaration_date == TODAY


def test_a_cradle_to_gate_result_is_no_battery_declaration() -> None:
    """Annex II asks for distribution and end of life too: not silently zero."""
    data = battery(per_piece=True)
    data["product"]["boundary"] = "cradle_to_gate"
    with pytest.raises(DeclarationError, match="cradle_to_gate.*distribution, end_of_life"):
        _declare(data, energy_delivered_kwh=1000.0)


def test_an_energy_too_small_to_divide_by_is_refused() -> None:
    with pytest.raises(DeclarationError, match="finite"):
        _declare(battery(per_piece=True), energy_delivered_kwh=1e-320)


def test_the_request_refuses_what_a_declaration_cannot_hold() -> None:
    with pytest.raises(ValueError, match="public_study_url"):
        BatteryRequest.model_validate(BATTERY_FIELDS | {"public_study_url": "javascript:alert(1)"})
    with pytest.raises(ValueError, match="energy_delivered_kwh"):
        BatteryRequest.model_validate(BATTERY_FIELDS | {"energy_delivered_kwh": 0})
    with pytest.raises(ValueError, match="extra"):
        BatteryRequest.model_validate(BATTERY_FIELDS | {"class": "A"})


def test_the_json_round_trips() -> None:
    declaration = _declare(battery())
    again = BatteryDeclaration.model_validate_json(declaration.model_dump_json())
    assert again == declaration


def test_the_pdf_shows_the_numbers_names_and_both_languages() -> None:
    declaration = _declare(battery())
    document = battery_pdf(declaration)
    assert document.startswith(b"%PDF")
    assert battery_pdf(declaration) == document  # same declaration, same bytes
    pages = "".join(pdf.page_text(document, i) for i in range(pdf.page_count(document)))
    text = pages.replace("\r\n", " ").replace("\ufffe", "-")
    for expected in (
        "0.1 kg CO2e/kWh",
        "0.05",
        "0.02",
        "0.01",
        "0.005",
        "Chongqing Test Battery Co., Ltd.",
        "TP-60-LFP",
        "Liangjiang plant, Chongqing, China",
        "EU-DoC-2026-0042",
        "https://example.org/studies/tp-60-lfp",
        "Main product production",
        "主要产品生产",
        "原材料获取和预处理",
        "电池碳足迹声明",
        str(declaration.basis.result_id),
    ):
        assert expected in text, expected
    for number, png in enumerate(pdf.pages_as_png(document, scale=0.5)):
        image = Image.open(io.BytesIO(png)).convert("L")
        low, high = image.getextrema()
        assert low < 100 < high  # ink on paper, not a blank page
        dark = sum(image.histogram()[:128])
        assert dark > (500 if number == 0 else 20)  # the first page is full of text


def test_html_escapes_the_declarants_text() -> None:
    html = battery_html(_declare(battery(), battery_model="<script>x</script>"))
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_an_illustrative_model_says_so() -> None:
    data = battery()
    data["product"]["illustrative"] = True
    declaration = _declare(data)
    assert declaration.notes[0].startswith("ILLUSTRATIVE")
    assert 'id="illustrative"' in battery_html(declaration)
