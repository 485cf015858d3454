"""Catalogue pages in process: the catalogue in force with its version selector, the diff, a
rule page, and the upload form for regulators only (problems shown, nothing written)."""

from __future__ import annotations

import pytest

from pcfhub.catalogue.reference import SEED_CATALOGUE, load_seed
from pcfhub.platform.context import Platform
from pcfhub.web.i18n import catalogue as messages
from tests.platform.conftest import csrf_from

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HTML = {"accept": "text/html"}
ZH, EN = messages("zh"), messages("en")


@pytest.fixture
def seeded(platform: Platform) -> Platform:
    with platform.unit_of_work() as uow:
        load_seed(uow)
        uow.commit()
    return platform


def version_2() -> bytes:
    text = SEED_CATALOGUE.read_text(encoding="utf-8")
    return (
        text.replace("effective_from = 2025-10-01", "effective_from = 2026-06-01")
        .replace(
            'name_en = "Desktop computer (including all-in-one)"', 'name_en = "Desktop computer"'
        )
        .encode()
    )


def test_an_enterprise_reads_the_catalogue_rules_and_diff_but_cannot_upload(
    browser_of, seeded: Platform
) -> None:
    enterprise = browser_of("cq-laptop")
    page = enterprise.get("/catalogue", headers=HTML)
    assert page.status_code == 200
    assert ZH["catalogue.title"] in page.text
    assert 'id="category-computer.portable"' in page.text
    assert "8471.30" in page.text
    assert "45220" in page.text
    assert 'id="upload-form"' not in page.text
    assert 'href="/catalogue"' in page.text  # the nav link
    rule = enterprise.get("/catalogue/rules/cq.methanol", headers=HTML)
    assert rule.status_code == 200
    assert "T/CPCIF 0467-2025" in rule.text
    assert ZH["catalogue.no_reference_value"] in rule.text
    refused = enterprise.post("/catalogue/files", headers=HTML,
                              data={"csrf_token": csrf_from(page.text)},
                              files={"file": ("c.toml", version_2(), "text/plain")})  # fmt: skip
    assert refused.status_code == 403
    assert ZH["catalogue.title"] in refused.text  # the page again, with the problem


def test_a_regulator_uploads_a_version_and_sees_what_changed(browser_of, seeded: Platform) -> None:
    regulator = browser_of("regulator")
    page = regulator.get("/catalogue", headers=HTML)
    assert 'id="upload-form"' in page.text
    token = csrf_from(page.text)
    broken = version_2().replace(b'hs_codes = ["8471.30"]', b'hs_codes = ["8471.3X"]')
    bad = regulator.post("/catalogue/files", headers=HTML, data={"csrf_token": token},
                         files={"file": ("v2.toml", broken, "text/plain")})  # fmt: skip
    assert bad.status_code == 422
    assert "v2.toml, sectors[1].categories[0].hs_codes[0]" in bad.text
    forged = regulator.post("/catalogue/files", headers=HTML, data={"csrf_token": "forged"},
                            files={"file": ("v2.toml", version_2(), "text/plain")})  # fmt: skip
    assert forged.status_code == 403
    done = regulator.post("/catalogue/files", headers=HTML, data={"csrf_token": token},
                          files={"file": ("v2.toml", version_2(), "text/plain")},
                          follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == "/catalogue?version=2&done=catalogue_published"
    shown = regulator.get(done.headers["location"], headers=HTML)
    assert ZH["catalogue.done_catalogue_published"] in shown.text
    assert 'id="diff-link"' in shown.text
    diff = regulator.get("/catalogue/diff?from=1&to=2", headers=HTML)
    assert diff.status_code == 200
    assert "computer.desktop" in diff.text
    assert "Desktop computer (including all-in-one)" in diff.text  # before
    assert "2026-06-01" in diff.text


def test_a_rules_upload_opens_the_rule_with_its_diff(browser_of, seeded: Platform) -> None:
    regulator = browser_of("operator")
    token = csrf_from(regulator.get("/catalogue", headers=HTML).text)
    rules = (
        b'[[rules]]\ncode = "cq.methanol"\ntitle_zh = "\xe7\x94\xb2\xe9\x86\x87"\n'
        b'title_en = "Methanol rule, 2nd"\nstandard = "T/CPCIF 0467-2025"\n'
        b'effective_from = 2026-07-01\nunit_kind = "declared"\nunit = "t"\n'
        b'unit_description = "1 t"\nboundary = "cradle_to_gate"\n'
        b'mandatory_stages = ["raw_materials", "production"]\n'
    )
    done = regulator.post("/catalogue/files", headers=HTML, data={"csrf_token": token},
                          files={"file": ("r.toml", rules, "text/plain")},
                          follow_redirects=False)  # fmt: skip
    assert done.headers["location"] == "/catalogue/rules/cq.methanol?done=rules_published"
    page = regulator.get("/catalogue/rules/cq.methanol?version=2", headers=HTML)
    assert page.status_code == 200
    assert 'id="rule-changes"' in page.text
    assert "Methanol rule, 2nd" in page.text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/catalogue?version=abc", 422),
        ("/catalogue?version=9", 404),
        ("/catalogue?day=2026-99-01", 422),
        ("/catalogue/diff?from=x&to=1", 422),
        ("/catalogue/diff?from=1&to=7", 404),
        ("/catalogue/rules/cq.unknown", 404),
        ("/catalogue/rules/bad%00code", 404),
        ("/catalogue/rules/cq.methanol?version=5", 404),
    ],
)
def test_bad_addresses_are_pages_with_the_problem_never_500(
    browser_of, seeded: Platform, url: str, status: int
) -> None:
    response = browser_of("cq-battery").get(url, headers=HTML)
    assert response.status_code == status, response.text
    assert "<html" in response.text


def test_the_page_says_so_when_no_catalogue_is_published(browser_of) -> None:
    page = browser_of("cq-battery").get("/catalogue", headers=HTML)
    assert page.status_code == 200
    assert 'id="no-catalogue"' in page.text
