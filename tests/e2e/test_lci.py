"""An LCI release in Chromium: the reviewer uploads it, follows the job, reads the report,
finds a product and opens its factor; an enterprise sees the release but no import form."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pcfhub.platform.demo import DemoSignIn
from tests.e2e.pages import ZH, Expect, sign_out, submit
from tests.lci.builders import P_STEEL, PackageBuilder
from tests.lci.test_jsonld import STEEL_PER_KG
from tests.support.shared import uslci_archive

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn


def test_a_release_is_imported_followed_and_read_in_the_browser(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    package = PackageBuilder(v1=True).standard().write_zip(tmp_path / "steel-lci.zip")
    sign_in(demo["operator"])
    page.click('header nav a[href="/lci"]')
    expect(page.locator("#no-releases")).to_be_visible()
    # A form missing its licence is shown again with the problem, as typed.
    page.set_input_files("#file", str(package))
    for field, value in (
        ("database", "Steel LCI"),
        ("release", "2025"),
        ("publisher", "pcfhub tests"),
        ("year", "2025"),
    ):
        page.fill(f"#{field}", value)
    page.evaluate("document.querySelector('#licence').removeAttribute('required')")
    submit(page, "#import-form button[type=submit]")
    expect(page.locator("#problems")).to_contain_text("licence")
    expect(page.locator("#database")).to_have_value("Steel LCI")
    page.set_input_files("#file", str(package))
    page.fill("#licence", "CC0-1.0")
    submit(page, "#import-form button[type=submit]")
    # The job page refreshes itself until the import is done.
    expect(page.locator("#job-status")).to_have_text(ZH["job_status.succeeded"], timeout=30_000)
    expect(page.locator("#job-result")).to_contain_text("3")
    submit(page, "#release-link")
    expect(page.locator("#count-products")).to_have_text("3")
    expect(page.locator("#allocation")).to_contain_text("physical (data)")
    page.fill("#q", "steel")
    submit(page, "#product-search button[type=submit]")
    first = page.locator("#product-table tbody tr").first
    expect(first).to_contain_text("Steel, at plant")
    assert f"{STEEL_PER_KG:.4g}" in first.inner_text()
    submit(page, "#product-table tbody tr >> nth=0 >> a")
    expect(page.locator("h1")).to_contain_text("Steel, at plant")
    assert P_STEEL in page.content()  # the factor points back to its process
    sign_out(page)

    sign_in(demo["cq-laptop"])
    page.goto("/lci")
    expect(page.locator("#releases tbody tr")).to_have_count(1)
    expect(page.locator("#import-form")).to_have_count(0)


def test_a_real_uslci_release_imports_in_the_browser(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn]
) -> None:
    archive = uslci_archive("uslci_fy20_q3_ecospold1.zip")
    sign_in(demo["operator"])
    page.goto("/lci")
    page.set_input_files("#file", str(archive))
    for field, value in (
        ("database", "USLCI"),
        ("release", "FY20"),
        ("year", "2020"),
        ("publisher", "U.S. DOE / NREL"),
        ("licence", "USLCI data use disclaimer agreement"),
    ):
        page.fill(f"#{field}", value)
    submit(page, "#import-form button[type=submit]")
    expect(page.locator("#job-status")).to_have_text(ZH["job_status.succeeded"], timeout=60_000)
    submit(page, "#release-link")
    expect(page.locator("#count-processes")).to_have_text("631")
    expect(page.locator("#warnings tbody tr").first).to_be_visible()  # NaN CAS, repeated numbers
    expect(page.locator("#unmapped tbody tr").first).to_contain_text("Water")
