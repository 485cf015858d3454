"""PACT exchange in Chromium: a supplier publishes a result as a footprint, is told what is
missing when the form lacks it, shares the footprint with a customer of the platform and
connects an external partner (its credentials shown once); the customer sees the footprint
shared with it, and another enterprise does not."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.accounting.builders import FACTORS
from tests.e2e.pages import ZH, Expect, sign_out, submit
from tests.exchange.conftest import PUBLISH, stored_result
from tests.factors.builders import acting, publish

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn


def test_publish_share_and_connect_in_the_browser(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn], platform: Platform
) -> None:
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
        uow.commit()
    stored_result(platform, acting(demo["cq-laptop"]))
    sign_in(demo["cq-laptop"])
    page.goto("/exchange")
    expect(page.locator("h1")).to_have_text(ZH["exchange.title"])
    page.fill("#publish-company", PUBLISH["company_ids"][0])
    page.fill("#publish-product", "not-a-urn")
    submit(page, "#publish button[type=submit]")
    expect(page.locator("#problems")).to_contain_text("product_ids")
    page.fill("#publish-company", PUBLISH["company_ids"][0])
    page.fill("#publish-product", PUBLISH["product_ids"][0])
    page.fill("#publish-cpc", PUBLISH["cpc_code"])
    page.fill("#publish-mass", "2.2")
    page.fill("#publish-fossil-c", "0")
    page.fill("#publish-bio-c", "0")
    submit(page, "#publish button[type=submit]")
    expect(page.locator("#done")).to_have_text(ZH["exchange.done.published"])
    row = page.locator("#footprints tbody tr").first
    expect(row).to_contain_text("7.6642")
    expect(row).to_contain_text(ZH["exchange.active"])
    row.locator("input[name=recipient]").fill("cq-industry")
    submit(page, "#footprints .share-form button[type=submit]")
    expect(page.locator("#done")).to_have_text(ZH["exchange.done.shared"])
    expect(page.locator("#footprints tbody tr").first).to_contain_text("重庆示例制造")

    page.fill("#connection-name", "Hamburg Auto GmbH")
    page.fill("#connection-url", "https://pact.hamburg-auto.example")
    submit(page, "#add-connection button[type=submit]")
    secret = page.locator("#inbound-client-secret").inner_text()
    assert len(secret) > 20
    page.goto("/exchange")
    expect(page.locator("#connections")).to_contain_text("Hamburg Auto GmbH")
    assert secret not in page.content()
    sign_out(page)

    sign_in(demo["cq-industry"])
    page.goto("/exchange")
    expect(page.locator("#shared-with-me tbody tr")).to_have_count(1)
    expect(page.locator("#shared-with-me")).to_contain_text("7.6642")
    sign_out(page)

    sign_in(demo["cq-battery"])
    page.goto("/exchange")
    expect(page.locator("#shared-with-me tbody tr")).to_have_count(0)
    expect(page.locator("#footprints tbody tr")).to_have_count(0)
