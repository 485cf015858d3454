"""Reports in Chromium: an enterprise opens a result's report, previews it in Chinese and
English, issues it, downloads the PDF; signed out, anyone verifies that PDF."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.accounting.builders import FACTORS
from tests.e2e.pages import ZH, Expect, sign_out, submit
from tests.factors.builders import acting, publish
from tests.reports.builders import study_model

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn


def test_preview_issue_download_and_verify_a_report(
    page: Page,
    expect: Expect,
    sign_in: SignIn,
    demo: dict[str, DemoSignIn],
    platform: Platform,
    tmp_path: Path,
) -> None:
    owner = acting(demo["cq-laptop"])
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
        saved = accounting.save_model(
            uow, principal=owner, model=ProductModel.model_validate(study_model())
        )
        stored = accounting.calculate(uow, principal=owner, model_id=saved.model_id, iterations=100)
        uow.commit()
    sign_in(demo["cq-laptop"])
    page.goto(f"/results/{stored.id}")
    expect(page.locator("#sensitivity-table tbody tr").first).to_contain_text("test.steel")
    page.click("#report-button")
    preview = page.locator("#report-preview")
    expect(preview.locator("#report-title")).to_have_text("产品碳足迹研究报告")
    expect(preview.locator("#chart-stages")).to_be_visible()
    expect(preview.locator("#finding-table")).to_contain_text("没有适用的产品种类规则")
    page.screenshot(path=str(tmp_path / "preview-zh.png"), full_page=True)
    page.click("#preview-en")
    expect(preview.locator("#report-title")).to_have_text("Product carbon footprint study report")
    page.select_option("#report-language", "zh")
    page.fill("#purpose", "供绿色信贷评估使用")
    submit(page, "#issue-button")
    expect(page.locator("#report-heading")).to_contain_text(ZH["reports.report"])
    sha256 = page.locator("#pdf-sha256").inner_text()
    with page.expect_download() as download:
        page.click("#download-pdf")
    document = Path(download.value.path())
    assert document.read_bytes().startswith(b"%PDF")

    sign_out(page)
    page.goto("/reports/verify")
    page.set_input_files("#verify-file", str(document))
    submit(page, "#verify-button")
    expect(page.locator("#verdict")).to_have_text(ZH["reports.verified"])
    expect(page.locator("#verify-result")).to_contain_text(sha256)
