"""The report's content from a stored result, in both languages (pure: no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from pcfhub.accounting.calculate import AccountingResult
from pcfhub.catalogue.model import AllocationMethod, Boundary, Instrument, Stage
from pcfhub.reports.charts import number
from pcfhub.reports.content import Issue, build
from pcfhub.reports.i18n import LANGUAGES, messages
from pcfhub.reports.render import render_html
from tests.reports.builders import ORGANISATION, source

URL = "https://pcf.example.cn"


@pytest.fixture(scope="module")
def studied():
    return source()


def test_both_message_files_have_the_same_keys() -> None:
    zh, en = (set(messages(lang)) for lang in LANGUAGES)
    assert zh == en, sorted(zh ^ en)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_enum_value_the_report_names_has_a_message(language: str) -> None:
    """Keys built from enum values (``electricity.{instrument}``…) exist for every value."""
    texts = messages(language)
    for prefix, values in (
        ("electricity", Instrument),
        ("boundary", Boundary),
        ("allocation", AllocationMethod),
        ("stage", Stage),
    ):
        missing = [f"{prefix}.{v.value}" for v in values if f"{prefix}.{v.value}" not in texts]
        assert missing == [], missing


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_element_the_standards_ask_for_is_in_the_report(studied, language: str) -> None:
    html = render_html(build(studied, language), base_url=URL)
    texts = messages(language)
    for section in (
        "goal", "unit", "boundary", "cutoff", "allocation", "data", "gwp", "electricity",
        "results", "uncertainty", "assumptions", "rule", "provenance",
    ):  # fmt: skip
        assert f'<section id="{section}">' in html
        assert texts[f"section.{section}"] in html
    result = studied.result
    main = result.result
    for value in (
        main.total, main.fossil, result.location_based.total, result.market_based.total,
        *main.by_stage.values(), *(g.co2e_kg for g in main.by_gas),
        *result.uncertainty.percentiles.values(),
    ):  # fmt: skip
        assert number(value) in html
    assert ORGANISATION in html  # the commissioner
    assert "Adhesive" in html
    assert "0.40%" in html
    assert "80.00%" in html  # the physical allocation share from provenance
    for factor in result.provenance.factors:
        assert factor.key in html
        assert factor.content_hash in html
    assert result.provenance.gwp_source in html
    assert "test.wind" in html  # the green certificate's factor
    assert texts["electricity.green_certificate"] in html
    assert texts["electricity.headline_market"] in html
    assert "Trucks return empty" in html  # the model's assumption
    assert texts["assumptions.limit_climate"] in html
    finding = result.compliance.findings[0]
    assert (finding.message_zh if language == "zh" else finding.message_en) in html
    assert "test.widgets" in html
    assert "2025-01-01" in html
    assert "2025-12-31" in html
    assert result.provenance.model_hash in html
    assert studied.result_hash in html
    assert str(studied.result_id) in html
    for chart in ("stages", "hot-spots", "gases", "histogram", "sensitivity"):
        assert f'id="chart-{chart}"' in html
    top = result.uncertainty.sensitivity[0]
    assert top.name in html
    assert f"{100 * top.share:.1f}%" in html
    assert texts["report.preview"] in html  # not issued
    assert "<script" not in html
    assert "<link" not in html
    assert "src=" not in html


def test_an_issued_report_names_its_number_issuer_and_how_to_verify(studied) -> None:
    issue = Issue(uuid.uuid4(), datetime(2026, 3, 2, 9, 0, tzinfo=UTC), "王工程师")
    html = render_html(build(studied, "zh", issue), base_url=URL)
    assert str(issue.report_id) in html
    assert "王工程师" in html
    assert "2026-03-02 09:00" in html
    assert messages("zh")["report.preview"] not in html
    assert f"{URL}/api/v1/reports/verify" in html


def test_purpose_and_audience_given_replace_the_standard_texts() -> None:
    given = source(iterations=0, purpose="供银行绿色信贷评估", audience="某银行")
    html = render_html(build(given, "zh"), base_url=URL)
    assert "供银行绿色信贷评估" in html
    assert "某银行" in html
    assert messages("zh")["uncertainty.none"] in html  # no Monte Carlo: said, not invented
    assert messages("zh")["assumptions.limit_no_uncertainty"] in html


def test_a_result_stored_before_sensitivity_existed_still_makes_a_report(studied) -> None:
    data = studied.result.model_dump(mode="json")
    del data["uncertainty"]["sensitivity"]
    older = AccountingResult.model_validate(data)
    assert older.uncertainty is not None
    assert older.uncertainty.sensitivity == []
    html = render_html(build(source(result=older), "en"), base_url=URL)
    assert messages("en")["uncertainty.sensitivity_none"] in html


def test_without_a_rule_the_report_says_so(studied) -> None:
    html = render_html(build(source(rule=None), "en"), base_url=URL)
    assert messages("en")["rule.none"] in html
    assert messages("en")["cutoff.no_rule"] in html


def test_gas_names_are_in_the_reports_language(studied) -> None:
    flows = [g.flow for g in studied.result.result.by_gas]
    assert any("fossil" in f for f in flows)  # the study has fossil gases to name
    zh = build(studied, "zh")
    en = build(studied, "en")
    assert [g.flow for g in en.gases] == flows
    assert all("fossil" not in g.flow and "biogenic" not in g.flow for g in zh.gases)
    assert any("化石" in g.flow for g in zh.gases)
    assert "化石" in zh.charts["gases"]
