"""Accounting in Chromium: an enterprise imports a model, calculates it, reads the result with
its charts and compliance, saves a second version and compares location- and market-based
results of both; another organisation cannot open them."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.accounting.builders import FACTORS, widget
from tests.accounting.test_calculate import LOCATION, MARKET
from tests.e2e.pages import ZH, Expect, sign_out, submit
from tests.factors.builders import acting, publish

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn


def _publish_factors(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
        uow.commit()


def _upload(page: Page, path: Path) -> None:
    page.goto("/models")
    page.set_input_files("#file", str(path))
    submit(page, "#import-form button[type=submit]")


def test_model_account_read_and_compare_in_the_browser(
    page: Page,
    expect: Expect,
    sign_in: SignIn,
    demo: dict[str, DemoSignIn],
    platform: Platform,
    tmp_path: Path,
) -> None:
    _publish_factors(platform, demo)
    sign_in(demo["cq-laptop"])
    page.goto("/models")
    expect(page.locator("#models")).to_contain_text(ZH["accounting.no_models"])
    # A file with a problem is refused with its place named, and nothing is saved.
    broken = widget()
    broken["processes"][0]["exchanges"][1]["amount"] = "lots"
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    _upload(page, tmp_path / "broken.yaml")
    expect(page.locator("#problems")).to_contain_text("processes[0].exchanges[1].amount")
    expect(page.locator("#models")).to_contain_text(ZH["accounting.no_models"])

    (tmp_path / "widget.yaml").write_text(yaml.safe_dump(widget()), encoding="utf-8")
    _upload(page, tmp_path / "widget.yaml")
    expect(page.locator("h1")).to_contain_text("小部件")
    expect(page.locator("#processes")).to_contain_text("test.steel")
    with page.expect_download() as download:  # the API's export, with the session cookie
        page.click("#export-yaml")
    exported = yaml.safe_load(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["code"] == "widget"
    assert exported["processes"][1]["exchanges"][0]["factor"]["key"] == "test.steel"
    page.fill("#iterations", "200")
    submit(page, "#calculate-button")
    # The result: market-based headline, both variants side by side, charts, compliance.
    expect(page.locator("#headline-total")).to_have_text(f"{MARKET:.4g}")
    row = page.locator("#row-total")
    expect(row).to_contain_text(f"{LOCATION:.4g}")
    expect(row).to_contain_text(f"{MARKET:.4g}")
    expect(page.locator("#stage-chart tr")).to_have_count(5)
    expect(page.locator("#hot-spot-chart tbody tr").first).to_contain_text("test.steel")
    expect(page.locator("#histogram rect")).to_have_count(30)
    expect(page.locator("#findings")).to_contain_text("没有适用的产品种类规则")
    expect(page.locator("#factor-table")).to_contain_text("test.steel")
    first_result = page.url

    changed = widget()
    changed["processes"][0]["exchanges"][0]["amount"] = 20
    (tmp_path / "widget2.yaml").write_text(yaml.safe_dump(changed), encoding="utf-8")
    _upload(page, tmp_path / "widget2.yaml")
    expect(page.locator("h1")).to_contain_text(ZH["accounting.v"].format(n=2))
    page.fill("#iterations", "0")
    submit(page, "#calculate-button")
    expect(page.locator("#row-total")).to_contain_text(f"{LOCATION + 5.0:.4g}")
    expect(page.locator("#uncertainty")).to_contain_text(ZH["accounting.no_uncertainty"])

    page.goto("/models")
    boxes = page.locator("#result-table input[type=checkbox]")
    expect(boxes).to_have_count(2)
    boxes.nth(0).check()
    boxes.nth(1).check()
    submit(page, "#compare-button")
    table = page.locator("#compare-table")
    expect(table).to_contain_text(f"{LOCATION:.4g}")
    expect(table).to_contain_text(f"{LOCATION + 5.0:.4g}")
    expect(page.locator("#compare-chart tr")).to_have_count(4)
    sign_out(page)

    sign_in(demo["cq-battery"])
    result_id = uuid.UUID(re.search(r"/results/([0-9a-f-]+)", first_result).group(1))
    answer = page.goto(f"/results/{result_id}")
    assert answer is not None
    assert answer.status in (403, 404)
    page.goto("/models")
    expect(page.locator("#models")).to_contain_text(ZH["accounting.no_models"])
