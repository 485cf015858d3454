"""The product model editor in Chromium: an enterprise builds a two-process model by clicking
add buttons and filling fields (electricity with a green certificate, an activity on a
published factor, a raw-material process as an input), previews it, saves it, edits an amount
into version 2, and reads the editor in Chinese."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

import pytest

from pcfhub.accounting import service
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.accounting.builders import FACTORS
from tests.e2e.pages import ZH, Expect, submit
from tests.factors.builders import acting, publish

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn

# assembly: 10 kWh (4 of them green certificates at the wind factor), 0.5 kg steel, 2 kg frame;
# frame: 1.1 kg steel per kg. Grid 0.5, wind 0.0336, steel 2.0 kg CO2e per unit.
LOCATION = 10 * 0.5 + 0.5 * 2.0 + 2 * 1.1 * 2.0
MARKET = 4 * 0.0336 + 6 * 0.5 + 0.5 * 2.0 + 2 * 1.1 * 2.0
MODEL_PAGE = re.compile(r"/models/[0-9a-f-]{36}$")


@pytest.fixture
def published(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    """The accounting tests' factors, published by cq-battery and reviewed by the operator."""
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, contributor, reviewer, data)
        uow.commit()


def fill(page: Page, values: dict[str, str]) -> None:
    """Type into fields by name; selects are chosen."""
    for name, value in values.items():
        field = page.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def add(page: Page, what: str, target: str) -> None:
    page.click(f'button[data-add="{what}"][data-target="{target}"]')


def test_a_model_is_built_previewed_saved_and_edited_in_the_browser(
    page: Page,
    expect: Expect,
    sign_in: SignIn,
    demo: dict[str, DemoSignIn],
    platform: Platform,
    published: None,
) -> None:
    sign_in(demo["cq-laptop"])
    submit(page, '#language-switch button[value="en"]')
    page.goto("/models/new")
    fill(page, {
        "code": "gearbox", "product.name_zh": "齿轮箱（示例）", "product.name_en": "Gearbox",
        "product.declared_unit.amount": "1", "product.declared_unit.unit": "piece",
        "product.boundary": "cradle_to_gate", "product.reference_period.0": "2025-01-01",
        "product.reference_period.1": "2025-12-31", "product.reference_process": "assembly",
        "processes.0.id": "assembly", "processes.0.name": "Assembly",
        "processes.0.stage": "production", "processes.0.output.amount": "1",
        "processes.0.output.unit": "piece",
    })  # fmt: skip

    # Electricity with a green certificate: the kind decides which fields show.
    add(page, "exchange", "processes.0.exchanges")
    electricity = "processes.0.exchanges.0."
    expect(page.locator(f'[name="{electricity}factor.key"]')).to_be_visible()
    fill(page, {f"{electricity}kind": "electricity"})
    expect(page.locator(f'[name="{electricity}factor.key"]')).to_be_hidden()
    fill(page, {
        f"{electricity}amount": "10", f"{electricity}unit": "kWh",
        f"{electricity}grid.key": "test.grid", f"{electricity}data_type": "primary",
    })  # fmt: skip
    add(page, "instrument", f"{electricity}instruments")
    fill(page, {
        f"{electricity}instruments.0.type": "green_certificate",
        f"{electricity}instruments.0.amount": "4",
        f"{electricity}instruments.0.factor.key": "test.wind",
    })  # fmt: skip
    link = page.locator(f'.field:has(> [name="{electricity}grid.key"]) a[data-factor-link]')
    expect(link).to_have_attribute("href", "/factors?q=test.grid")

    # A row added by mistake and removed: the rows after it are renumbered.
    add(page, "exchange", "processes.0.exchanges")
    add(page, "exchange", "processes.0.exchanges")
    fill(page, {
        "processes.0.exchanges.2.factor.key": "test.steel",
        "processes.0.exchanges.2.amount": "0.5", "processes.0.exchanges.2.unit": "kg",
    })  # fmt: skip
    page.click("#r-processes-0-exchanges-1 button[data-remove]")
    expect(page.locator('[name="processes.0.exchanges.2.amount"]')).to_have_count(0)
    expect(page.locator('[name="processes.0.exchanges.1.factor.key"]')).to_have_value("test.steel")
    expect(page.locator("#r-processes-0-exchanges-1 .row-number")).to_have_text("2")

    # The raw-material process, and its output as an input of the assembly.
    add(page, "process", "processes")
    fill(page, {
        "processes.1.id": "frame", "processes.1.name": "Steel frame",
        "processes.1.stage": "raw_materials", "processes.1.output.amount": "1",
        "processes.1.output.unit": "kg",
    })  # fmt: skip
    add(page, "exchange", "processes.1.exchanges")
    fill(page, {
        "processes.1.exchanges.0.factor.key": "test.steel",
        "processes.1.exchanges.0.amount": "1.1", "processes.1.exchanges.0.unit": "kg",
    })  # fmt: skip
    add(page, "exchange", "processes.0.exchanges")
    fill(page, {
        "processes.0.exchanges.2.kind": "process", "processes.0.exchanges.2.process": "frame",
        "processes.0.exchanges.2.amount": "2", "processes.0.exchanges.2.unit": "kg",
    })  # fmt: skip
    expect(page.locator('#process-ids option[value="frame"]')).to_have_count(1)

    submit(page, "#preview-button")
    expect(page.locator("#problems")).to_have_count(0)
    assert float(page.inner_text("#preview-location strong")) == pytest.approx(LOCATION, 1e-3)
    assert float(page.inner_text("#preview-market strong")) == pytest.approx(MARKET, 1e-3)
    expect(page.locator("#findings")).to_contain_text("no_rule")
    expect(page.locator('[name="processes.1.exchanges.0.amount"]')).to_have_value("1.1")

    submit(page, "#save-button")
    assert MODEL_PAGE.search(page.url), page.url
    model_id = uuid.UUID(page.url.rsplit("/", 1)[1])

    # Edit: a wrong amount is shown at its field, nothing saved; the right one is version 2.
    page.goto(f"/models/{model_id}/edit")
    amount = page.locator('[name="processes.1.exchanges.0.amount"]')
    expect(amount).to_have_value("1.1")
    amount.fill("1,2")
    submit(page, "#save-button")
    expect(page.locator("#p-f-processes-1-exchanges-0-amount")).to_be_visible()
    expect(page.locator('#problems a[href="#f-processes-1-exchanges-0-amount"]')).to_be_visible()
    expect(amount).to_have_value("1,2")
    amount.fill("1.2")
    page.fill("#change_note", "frame steel measured again")
    submit(page, "#save-button")
    assert page.url.endswith(f"/models/{model_id}")
    principal = acting(demo["cq-laptop"])
    with platform.unit_of_work(read_only=True) as uow:
        saved = service.get_model(uow, principal=principal, model_id=model_id)
    assert (saved.version, saved.note) == (2, "frame steel measured again")
    assert saved.model.processes[1].exchanges[0].amount == 1.2
    assert saved.model.processes[0].exchanges[0].instruments[0].factor.key == "test.wind"

    # In Chinese.
    page.goto(f"/models/{model_id}/edit")
    submit(page, '#language-switch button[value="zh"]')
    expect(page.locator("#section-product h2")).to_have_text(ZH["editor.product"])
    expect(page.locator('label[for="f-product-boundary"]')).to_have_text(ZH["editor.boundary"])
    kind = page.locator('[name="processes.0.exchanges.0.kind"] option:checked')
    expect(kind).to_have_text(ZH["editor.kind_electricity"])
    expect(page.locator("#save-button")).to_have_text(ZH["editor.save"])
