"""Declarations in Chromium: an enterprise fills in the EU battery declaration of a result,
previews it in Chinese, downloads the PDF and issues it into the ledger."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.reports import pdf
from tests.accounting.builders import FACTORS
from tests.e2e.pages import ZH, Expect, submit
from tests.factors.builders import acting, publish
from tests.reports.declaration_builders import BATTERY_FIELDS, battery

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn


def test_fill_preview_download_and_issue_a_battery_declaration(
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
            uow, principal=owner, model=ProductModel.model_validate(battery(per_piece=True))
        )
        result = accounting.calculate(uow, principal=owner, model_id=saved.model_id, iterations=0)
        uow.commit()
    sign_in(demo["cq-laptop"])
    page.goto(f"/results/{result.id}/declarations/battery")
    expect(page.locator("h1")).to_have_text(ZH["declarations.title_battery"])
    for name, value in BATTERY_FIELDS.items():
        if name != "declaration_date":
            page.fill(f"#{name}", value)
    page.fill("#declaration_date", BATTERY_FIELDS["declaration_date"])

    submit(page, "#preview-button")  # per pack, without the energy it delivers: refused
    expect(page.locator("#problems")).to_contain_text("energy_delivered_kwh")
    page.fill("#energy_delivered_kwh", "1000")
    submit(page, "#preview-button")
    expect(page.locator("#declared-total")).to_have_text("0.1")
    expect(page.locator("#stage-table")).to_contain_text("主要产品生产")
    page.screenshot(path=str(tmp_path / "declaration.png"), full_page=True)

    with page.expect_download() as waiting:
        page.click("#file-button")
    saved_pdf = tmp_path / "declaration.pdf"
    waiting.value.save_as(saved_pdf)
    content = saved_pdf.read_bytes()
    assert "TP-60-LFP" in pdf.page_text(content, 0)

    submit(page, "#issue-button")
    expect(page.locator("#issued-sha")).to_have_text(hashlib.sha256(content).hexdigest())
