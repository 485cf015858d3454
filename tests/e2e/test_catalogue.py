"""The catalogue in Chromium: a regulator publishes a new version from a file (a broken file
first: its problem is named), reads what changed and opens a rule; an enterprise reads the
catalogue in Chinese without the upload form."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from pcfhub.catalogue.reference import SEED_CATALOGUE, load_seed
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.e2e.pages import ZH, Expect, sign_out, submit

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn


@pytest.fixture
def seeded(platform: Platform) -> Platform:
    with platform.unit_of_work() as uow:
        load_seed(uow)
        uow.commit()
    return platform


def test_a_regulator_publishes_a_version_and_reads_the_diff(
    page: Page,
    expect: Expect,
    sign_in: SignIn,
    demo: dict[str, DemoSignIn],
    seeded: Platform,
    tmp_path: Path,
) -> None:
    text = SEED_CATALOGUE.read_text(encoding="utf-8")
    version_2 = text.replace("effective_from = 2025-10-01", "effective_from = 2026-06-01")
    version_2 = version_2.replace('name_zh = "台式计算机（含一体机）"', 'name_zh = "台式计算机"')
    broken = tmp_path / "broken.toml"
    broken.write_text(version_2.replace('"8708.70"', '"87O8.70"', 1), encoding="utf-8")
    good = tmp_path / "catalogue-v2.toml"
    good.write_text(version_2, encoding="utf-8")

    sign_in(demo["regulator"])
    submit(page, 'header nav a[href="/catalogue"]')
    expect(page.locator("h1")).to_have_text(ZH["catalogue.title"])
    expect(page.locator("#catalogue-version")).to_contain_text("2025-10-01")
    expect(page.locator('[id="category-nev.lfp-battery-pack"]')).to_contain_text(
        "磷酸铁锂动力电池包"
    )
    page.set_input_files("#file", str(broken))
    submit(page, "#upload-form button[type=submit]")
    expect(page.locator("#problems")).to_contain_text(
        "broken.toml, sectors[2].categories[0].hs_codes[0]"
    )
    page.set_input_files("#file", str(good))
    submit(page, "#upload-form button[type=submit]")
    expect(page.locator("#done")).to_have_text(ZH["catalogue.done_catalogue_published"])
    expect(page.locator("#catalogue-version")).to_contain_text("2026-06-01")
    submit(page, "#diff-link")
    expect(page.locator("h2")).to_contain_text(
        ZH["catalogue.diff_heading"].format(older=1, newer=2)
    )
    changed = page.locator("#categories-changed")
    expect(changed).to_contain_text("computer.desktop")
    expect(changed).to_contain_text("台式计算机（含一体机）")
    expect(page.locator("#document-changes")).to_contain_text("2026-06-01")
    page.goto("/catalogue/rules/cq.methanol")
    expect(page.locator("#rule-standard")).to_have_text("T/CPCIF 0467-2025")
    expect(page.locator("#rule-reference-value")).to_have_text(ZH["catalogue.no_reference_value"])
    sign_out(page)

    sign_in(demo["cq-battery"])
    page.goto("/catalogue?day=2026-01-01")
    expect(page.locator("#catalogue-version")).to_contain_text("2025-10-01")  # version 1 then
    expect(page.locator("#upload-form")).to_have_count(0)
    expect(page.locator("#rules tbody tr")).to_have_count(9)
