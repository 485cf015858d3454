"""The product model editor in process: the form's fields parse back into the model they were
drawn from; a bad form comes back as typed with each problem at its field and nothing saved;
saving makes versions; other organisations cannot open the editor; the preview accounts."""

from __future__ import annotations

import html
import re
import uuid
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import func, select

from pcfhub.accounting import service
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.store import ProductModelVersionRow
from pcfhub.catalogue.reference import load_seed
from pcfhub.catalogue.service import catalogue_on
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.web.i18n import catalogue
from pcfhub.web.model_editor import CHOICES
from pcfhub.web.model_form import KIND_FIELDS, LABELS, ModelForm, Problem, form_values, nest
from tests.accounting.builders import FACTORS, model, widget
from tests.accounting.test_calculate import LOCATION, MARKET
from tests.factors.builders import acting, publish
from tests.platform.conftest import csrf_from
from tests.web.conftest import BrowserOf

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # pages: one kind
HTML = {"accept": "text/html"}
Fields = list[tuple[str, str]]


def fields_of(product_model: ProductModel) -> Fields:
    """A model as a browser sends its form: one field per value, named by its path."""

    def walk(value: Any, name: str) -> Fields:
        if isinstance(value, dict):
            return [f for key, item in value.items() for f in walk(item, f"{name}{key}.")]
        if isinstance(value, list):
            return [f for i, item in enumerate(value) for f in walk(item, f"{name}{i}.")]
        if value is False:
            return []  # an unchecked box is not sent
        return [(name[:-1], "true" if value is True else str(value))]

    return walk(product_model.model_dump(mode="json", exclude_none=True), "")


def parse(fields: Fields) -> ProductModel:
    return ModelForm(nest(fields)).model()


def every_kind() -> ProductModel:
    """The widget with one exchange of every kind and every optional field filled."""
    data = widget()
    data["product"] |= {"site": "Chongqing plant", "description": "A widget.", "illustrative": True}
    assembly, frame = data["processes"]
    assembly["exchanges"][0] |= {
        "residual": {"key": "test.residual", "version": 1},
        "gsd": 1.05,
        "pedigree": {"reliability": 1, "completeness": 2, "temporal": 1, "geographical": 2,
                     "technological": 3},
        "note": "Meter 7, 2025",
    }  # fmt: skip
    assembly["exchanges"][0]["instruments"][0] |= {
        "identifier": "GEC-2025-0001", "generator": "Wind farm", "vintage": 2025, "region": "CN",
    }  # fmt: skip
    assembly["exchanges"] += [
        {"kind": "supplier", "supplier": "Bolt Co.", "amount": 4, "unit": "piece",
         "footprint": {"per_unit": "piece", "total": 0.05, "fossil": 0.05,
                       "data_quality_rating": 2.5, "primary_data_share": 0.4, "source": "PACT x"},
         "data_type": "primary", "name": "M6 bolts"},
        {"kind": "model", "model": "paint", "amount": 0.1, "unit": "kg"},
        {"kind": "activity", "factor": {"key": "test.wood"}, "amount": 0.3, "unit": "kg",
         "packaging": True},
    ]  # fmt: skip
    frame |= {
        "allocation": "physical", "output_mass_kg": 1, "output_price": 8.5,
        "coproducts": [{"name": "Offcuts", "amount": 0.1, "unit": "kg", "mass_kg": 0.1,
                        "price": 0.02}],
    }  # fmt: skip
    data["exclusions"] = [{"name": "Glue", "mass_share": 0.001, "reason": "Below 0.1 %"}]
    data["assumptions"] = ["Transport by road only.", "Offcuts are sold."]
    return ProductModel.model_validate(data)


@pytest.mark.parametrize("built", [model(), every_kind()], ids=["widget", "every_kind"])
def test_a_models_form_parses_back_into_the_model(built: ProductModel) -> None:
    assert parse(fields_of(built)) == built
    assert ModelForm(form_values(built)).model() == built  # what the edit page is drawn from


def test_blank_rows_other_kinds_fields_and_page_fields_are_left_out() -> None:
    built = model()
    noise = [
        ("csrf_token", "x"),
        ("change_note", "a note"),
        ("model_id", "not-a-model"),
        ("processes.0.exchanges.3.amount", "99"),  # a transport has no amount: left from a kind
        ("processes.0.exchanges.3.grid.key", "test.grid"),
        ("processes.0.exchanges.3.gas", "sf6"),
        ("processes.0.exchanges.4.kind", "activity"),  # a row added and left blank
        ("processes.0.exchanges.4.data_type", "secondary"),
        ("processes.0.exchanges.4.factor.key", ""),
        ("processes.0.exchanges.4.packaging", ""),
        ("processes.2.stage", "production"),  # a blank process
        ("processes.2.id", " "),
        ("exclusions.0.name", ""),
        ("assumptions.0", "  "),
        ("product.site", ""),
        ("processes.1.exchanges.0.factor.version", ""),
        ("__PREFIX__.amount", "1"),
        ("processes.x.id", "bad"),
    ]
    assert parse(fields_of(built) + noise) == built


def problems_of(fields: Fields) -> list[Problem]:
    form = ModelForm(nest(fields))
    with pytest.raises(ValidationError) as raised:
        form.model()
    return form.problems(raised.value)


def test_problems_are_placed_at_the_fields_of_the_form_as_typed() -> None:
    fields = fields_of(model())
    fields = [(n, v) for n, v in fields if n != "processes.0.exchanges.0.grid.key"]
    fields = [(n, "abc" if n == "processes.1.exchanges.0.amount" else v) for n, v in fields]
    problems = {p.where: p for p in problems_of(fields)}
    assert set(problems) == {"processes.0.exchanges.0.grid.key", "processes.1.exchanges.0.amount"}
    amount = problems["processes.1.exchanges.0.amount"]
    assert amount.crumbs == (("process", 2), ("exchange", 1))
    assert amount.label == ("editor", "amount")
    assert amount.anchor == "f-processes-1-exchanges-0-amount"
    assert problems["processes.0.exchanges.0.grid.key"].label == ("editor", "grid_key")
    # After a blank row, a wrong row is named as numbered in the form (the blank one is
    # left out before validation); a check across fields finds its field too.
    unknown = [
        ("processes.0.exchanges.4.kind", "process"),
        ("processes.0.exchanges.5.kind", "process"),
        ("processes.0.exchanges.5.process", "nowhere"),
        ("processes.0.exchanges.5.amount", "1"),
        ("processes.0.exchanges.5.unit", "kg"),
    ]
    found = problems_of(fields_of(model()) + unknown)
    assert [p.where for p in found] == ["processes.0.exchanges.5.process"]
    assert "unknown process 'nowhere'" in found[0].message
    period = [(n, "2024-01-01" if n == "product.reference_period.1" else v)
              for n, v in fields_of(model())]  # fmt: skip
    assert [p.where for p in problems_of(period)] == ["product.reference_period.1"]


def test_the_editor_offers_every_kind_of_exchange() -> None:
    assert sorted(CHOICES["kinds"]) == sorted(KIND_FIELDS)


def test_every_label_the_problem_list_names_is_in_both_catalogues() -> None:
    for language in ("en", "zh"):
        assert {f"editor.{label}" for label in LABELS.values()} <= set(catalogue(language))


# In the browser


@pytest.fixture
def published(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    """The accounting tests' factors, published by cq-battery and reviewed by the operator."""
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, contributor, reviewer, data)
        uow.commit()


def _versions(platform: Platform) -> int:
    with platform.unit_of_work(read_only=True) as uow:
        return uow.session.scalar(select(func.count()).select_from(ProductModelVersionRow)) or 0


def _post(client: TestClient, path: str, fields: Fields, page: str = "/models/new") -> Any:
    token = csrf_from(client.get(page, headers=HTML).text)
    return client.post(
        path,
        content=urlencode([("csrf_token", token), *fields]),
        headers=HTML | {"content-type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )


def _value(page: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    return html.unescape(found.group(1)) if found else None


@SQLITE
def test_the_new_model_page_is_a_form_with_its_script(browser_of: BrowserOf) -> None:
    page = browser_of("cq-laptop").get("/models/new", headers=HTML)
    assert page.status_code == 200
    assert 'id="model-form"' in page.text
    assert '<script src="/static/model_editor.js" defer></script>' in page.text
    for template in ("process", "exchange", "instrument", "coproduct", "exclusion"):
        assert f'<template id="tpl-{template}">' in page.text
    assert 'name="processes.0.id"' in page.text
    script = browser_of("cq-laptop").get("/static/model_editor.js")
    assert script.status_code == 200


@SQLITE
def test_a_bad_form_comes_back_as_typed_with_its_problems_and_saves_nothing(
    platform: Platform, browser_of: BrowserOf
) -> None:
    client = browser_of("cq-laptop")
    fields = [
        (n, "abc" if n == "processes.1.exchanges.0.amount" else v) for n, v in fields_of(model())
    ]
    response = _post(client, "/models/save", fields)
    assert response.status_code == 422
    page = response.text
    assert _value(page, "processes.1.exchanges.0.amount") == "abc"
    assert _value(page, "product.name_zh") == "小部件"
    # next to the field, and in the list at the top that links to it
    field = re.search(
        r'<div class="field invalid">\s*<label for="f-processes-1-exchanges-0-amount">.*?</div>',
        page,
        re.S,
    )
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert "Input should be a valid number" in field.group(0)
    assert 'href="#f-processes-1-exchanges-0-amount"' in page
    assert 'id="problems"' in page
    assert _versions(platform) == 0


@SQLITE
def test_saving_makes_a_version_and_editing_saves_the_next(
    platform: Platform, browser_of: BrowserOf, demo: dict[str, DemoSignIn]
) -> None:
    client = browser_of("cq-laptop")
    saved = _post(client, "/models/save", [*fields_of(model()), ("change_note", "first")])
    assert saved.status_code == 303, saved.text
    model_id = uuid.UUID(saved.headers["location"].removeprefix("/models/"))
    edit = client.get(f"/models/{model_id}/edit", headers=HTML)
    assert edit.status_code == 200
    assert _value(edit.text, "processes.1.exchanges.0.amount") == "1.1"
    assert _value(edit.text, "model_id") == str(model_id)
    changed = [
        (n, "1.3" if n == "processes.1.exchanges.0.amount" else v) for n, v in fields_of(model())
    ]
    again = _post(client, "/models/save", changed, page=f"/models/{model_id}/edit")
    assert again.headers["location"] == f"/models/{model_id}"
    principal = acting(demo["cq-laptop"])
    with platform.unit_of_work(read_only=True) as uow:
        newest = service.get_model(uow, principal=principal, model_id=model_id)
        first = service.get_model(uow, principal=principal, model_id=model_id, version=1)
    assert newest.version == 2
    assert newest.model.processes[1].exchanges[0].amount == 1.3
    assert (first.note, newest.note) == ("first", "edited in the web editor")
    older = client.get(f"/models/{model_id}/edit?version=1", headers=HTML)
    assert _value(older.text, "processes.1.exchanges.0.amount") == "1.1"
    copy = client.get(f"/models/new?from={model_id}", headers=HTML)
    assert _value(copy.text, "code") == ""
    assert _value(copy.text, "processes.1.exchanges.0.amount") == "1.3"


@SQLITE
def test_another_organisation_cannot_open_a_models_editor(
    platform: Platform, browser_of: BrowserOf
) -> None:
    owner = browser_of("cq-laptop")
    saved = _post(owner, "/models/save", fields_of(model()))
    model_id = saved.headers["location"].removeprefix("/models/")
    other = browser_of("cq-battery")
    for path in (f"/models/{model_id}/edit", f"/models/new?from={model_id}"):
        response = other.get(path, headers=HTML)
        assert response.status_code in (403, 404), path
        assert "小部件" not in response.text
        assert "test.steel" not in response.text
    signed_out = TestClient(owner.app)
    assert signed_out.get(f"/models/{model_id}/edit", follow_redirects=False).status_code == 303


@SQLITE
def test_the_preview_shows_both_totals_and_the_findings_and_saves_nothing(
    platform: Platform, browser_of: BrowserOf, published: None
) -> None:
    client = browser_of("cq-laptop")
    response = _post(client, "/models/preview", fields_of(model()))
    assert response.status_code == 200, response.text
    page = response.text
    location = re.search(r'id="preview-location".*?<strong class="big">([^<]+)<', page, re.S)
    market = re.search(r'id="preview-market".*?<strong class="big">([^<]+)<', page, re.S)
    assert location is not None
    assert market is not None
    assert float(location.group(1)) == pytest.approx(LOCATION, rel=1e-3)
    assert float(market.group(1)) == pytest.approx(MARKET, rel=1e-3)
    assert 'id="findings"' in page
    assert "no_rule" in page  # no catalogue yet: nothing was checked against a rule
    assert _value(page, "processes.1.exchanges.0.amount") == "1.1"  # the form stays
    assert _versions(platform) == 0


@SQLITE
def test_a_preview_names_the_field_of_an_unknown_factor(
    platform: Platform, browser_of: BrowserOf, published: None
) -> None:
    client = browser_of("cq-laptop")
    fields = [
        (n, "test.nowhere" if n == "processes.1.exchanges.0.factor.key" else v)
        for n, v in fields_of(model())
    ]
    response = _post(client, "/models/preview", fields)
    assert response.status_code == 422
    assert 'href="#f-processes-1-exchanges-0-factor-key"' in response.text
    assert 'id="p-f-processes-1-exchanges-0-factor-key"' in response.text
    assert 'id="preview"' not in response.text


@SQLITE
def test_the_category_field_offers_the_catalogue_in_force(
    platform: Platform, browser_of: BrowserOf
) -> None:
    client = browser_of("cq-laptop")
    before = client.get("/models/new", headers=HTML).text
    assert re.search(r'<datalist id="categories"></datalist>', before)
    with platform.unit_of_work() as uow:
        load_seed(uow)
        uow.commit()
        listed = catalogue_on(uow, date.today()).data.located_categories()
    page = client.get("/models/new", headers=HTML).text
    for _, category in listed:
        assert f'<option value="{category.code}">{html.escape(category.name_zh)}</option>' in page
