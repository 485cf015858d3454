"""The factor market in Chromium: contribute a file, review it, find it, use it, be paid.

A contributor uploads a proprietary factor and submits it; the operator's reviewer publishes it
with the checklist; another enterprise finds its metadata without the value; the shipped
reference data is searched with the geography fallback and applied in the calculator; the
contributor reads the usage statement.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pcfhub.factors import reference, usage
from pcfhub.factors.formats import write_factors
from pcfhub.factors.schemas import UsageRecord
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.e2e.pages import ZH, Expect, sign_out, submit
from tests.factors.builders import PROPRIETARY, acting, record

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn


def test_a_factor_goes_from_upload_to_review_to_search_and_usage(
    page: Page,
    expect: Expect,
    sign_in: SignIn,
    demo: dict[str, DemoSignIn],
    platform: Platform,
    tmp_path: Path,
) -> None:
    cell = record(
        key="cq-battery.cell.lfp", value=48.5, unit="kWh", licence=PROPRIETARY,
        name_zh="磷酸铁锂电芯（示例）", name_en="LFP cell (illustrative)",
    )  # fmt: skip
    upload = tmp_path / "cells.xlsx"
    write_factors([cell], upload)
    evidence_pdf = tmp_path / "EPD-2025.pdf"
    evidence_pdf.write_bytes(b"%PDF-1.7\n% EPD of the LFP cell, table 3\n%%EOF\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("lineage_key,name_zh\nx,y\n", encoding="utf-8")

    # The contributor: a bad file is explained and saves nothing; the good one is submitted.
    sign_in(demo["cq-battery"])
    page.click('header nav a[href="/factors"]')
    page.click('.subnav a[href="/factors/contribute"]')
    page.set_input_files("#file", str(bad))
    submit(page, "#upload-form button[type=submit]")
    expect(page.locator("#problems")).to_contain_text("bad.csv, row 1")
    expect(page.locator("#contributions tbody tr")).to_have_count(0)
    page.set_input_files("#file", str(upload))
    page.check("#upload-form input[name=submit]")
    submit(page, "#upload-form button[type=submit]")
    expect(page.locator("#done")).to_have_text(ZH["factors.imported"].format(count=1))
    row = page.locator("#contributions tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(ZH["factor_status.submitted"])
    submit(page, "#contributions tbody a")
    page.set_input_files("#evidence-file", str(evidence_pdf))
    submit(page, "#evidence-form button[type=submit]")
    expect(page.locator("#done")).to_have_text(ZH["factors_done.evidence_added"])
    expect(page.locator("#evidence tbody tr")).to_contain_text("EPD-2025.pdf")
    sign_out(page)

    # The reviewer: the whole checklist is needed to publish.
    sign_in(demo["operator"])
    page.goto("/factors/review")
    expect(page.locator("#queue h2")).to_have_text(ZH["factors.awaiting"].format(count=1))
    submit(page, "#queue tbody a")
    with page.expect_download() as download:
        page.click("#evidence tbody a")
    assert Path(download.value.path()).read_bytes() == evidence_pdf.read_bytes()
    submit(page, "#start-review button[type=submit]")
    expect(page.locator("#status")).to_have_text(ZH["factor_status.in_review"])
    page.check("#review-form input[value=source_cited]")
    submit(page, "#review-form button[value=publish]")
    expect(page.locator("#problems")).to_contain_text("value_matches_source")
    for box in page.locator("#review-form input[name=checklist]").all():
        box.check()
    submit(page, "#review-form button[value=publish]")
    expect(page.locator("#done")).to_have_text(ZH["factors_done.published"])
    expect(page.locator("#status")).to_have_text(ZH["factor_status.published"])
    sign_out(page)

    # Another enterprise finds it by Chinese words, sees its source but not its value.
    sign_in(demo["cq-laptop"])
    page.goto("/factors")
    page.fill("#q", "铁锂")
    submit(page, "#factor-search button[type=submit]")
    hit = page.locator("#results tbody tr", has_text="磷酸铁锂电芯")
    expect(hit).to_contain_text(ZH["factors.withheld"])
    submit(page, "#results tbody a")
    expect(page.locator("#withheld")).to_be_visible()
    expect(page.locator("#source")).to_contain_text("Acme Steel")
    expect(page.locator("#calculator")).to_have_count(0)
    assert "48.5" not in page.content()

    # Reference data: Chongqing falls back to the Southwest grid; the calculator converts.
    with platform.unit_of_work() as uow:
        reference.import_shipped_reference(uow)
        uow.commit()
    page.goto("/factors")
    page.fill("#q", "电力 排放因子")
    page.fill("#geography", "CN-CQ")
    page.fill("#unit", "kWh")
    submit(page, "#factor-search button[type=submit]")
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_contain_text("CN-CQ")  # the nearest geography first…
    expect(rows.filter(has_text="CN-GRID-SW").first).to_be_visible()  # …then its grid region
    submit(page, "#results tbody tr >> nth=0 >> a")
    value = float(page.locator("#factor-value").inner_text().split()[0])
    page.fill("#amount", "2")
    page.fill("#activity-unit", "MWh")
    submit(page, "#apply button[type=submit]")
    applied = float(page.locator("#applied").inner_text().split()[0])
    assert abs(applied - 2000 * value) <= 1e-6 * applied
    page.fill("#activity-unit", "kg")
    submit(page, "#apply button[type=submit]")
    expect(page.locator("#problems")).to_contain_text("kg")
    sign_out(page)

    # Two published results of the laptop maker used the cell; the contributor sees it.
    with platform.unit_of_work() as uow:
        version_id = uow.session.query(FactorVersionRow.id).join(FactorLineageRow).filter(
            FactorLineageRow.lineage_key == "cq-battery.cell.lfp").scalar()  # fmt: skip
        laptop = demo["cq-laptop"]
        for result in ("laptop-14-2025", "laptop-16-2025"):
            usage.record_usage(
                uow, principal=acting(laptop), organisation_id=laptop.organisation_id,
                usage=UsageRecord(result_kind="result", result_id=result,
                                  version_ids=[version_id]),
            )  # fmt: skip
        uow.commit()
    sign_in(demo["cq-battery"])
    page.goto("/factors/usage")
    expect(page.locator("#statement h2")).to_have_text(
        ZH["factors.statement_totals"].format(uses=2, organisations=1)
    )
    line = page.locator("#usage-lines tbody tr")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("cq-battery.cell.lfp")
    expect(line.locator("svg rect")).to_have_attribute("width", "100.0%")
    with page.expect_download() as download:
        page.click("#usage-csv")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "cq-battery.cell.lfp" in text
