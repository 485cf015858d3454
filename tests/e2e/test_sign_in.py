"""Sign-in, language and organisation switches, sign-out, lock-out and CSRF, in Chromium.

The pages are in Chinese until someone picks English (settings.default_language is zh).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pcfhub.config import Settings
from pcfhub.platform import service
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DEMO_ORGANISATIONS, DemoSignIn
from pcfhub.platform.model import OrganisationKind, Role
from pcfhub.platform.schemas import MemberCreate
from pcfhub.web.i18n import catalogue

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.e2e.conftest import SignIn

Expect = Callable[..., Any]

ZH = catalogue("zh")
EN = catalogue("en")


def _name(slug: str) -> str:
    return next(org.name for org in DEMO_ORGANISATIONS if org.slug == slug)


def sign_out(page: Page) -> None:
    with page.expect_navigation():
        page.click("#sign-out button[type=submit]")


def switch_language(page: Page, language: str) -> None:
    with page.expect_navigation():
        page.click(f"#language-switch button[value={language}]")


def nav_home(page: Page) -> Locator:
    return page.locator('header nav a[href="/"]')


def test_enterprise_admin_signs_in_switches_language_and_signs_out(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    battery = demo["cq-battery"]
    page.goto("/sign-in")
    expect(page.locator("h1")).to_have_text(ZH["sign_in.title"])  # 登录
    sign_in(battery)

    assert page.url.endswith("/")
    expect(page.locator("h1")).to_have_text("欢迎，cq-battery admin")
    acting_for = page.locator("#acting-for")
    expect(acting_for).to_contain_text(_name("cq-battery"))
    expect(acting_for).to_contain_text(ZH["role.admin"])
    expect(acting_for).to_contain_text(ZH["kind.enterprise"])
    expect(nav_home(page)).to_have_text("首页")

    grants = page.locator("#grants-given")
    expect(grants.locator("h2")).to_contain_text("共 2 条")
    expect(grants.locator("tbody tr")).to_have_count(2)
    expect(grants).to_contain_text(_name("verifier"))
    expect(grants).to_contain_text(_name("green-bank"))
    expect(grants.locator(".tag.ok")).to_have_count(2)  # both active
    expect(page.locator("#grants-received")).to_have_count(0)

    shot = tmp_path / "home-zh.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000

    switch_language(page, "en")
    assert page.url.endswith("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav_home(page)).to_have_text(EN["nav.home"])  # Home
    expect(page.locator("h1")).to_have_text("Welcome, cq-battery admin")
    expect(acting_for).to_contain_text(f"as {EN['role.admin']}.")
    expect(page.locator("#grants-given h2")).to_contain_text(EN["home.grants_given"])
    expect(page.locator("#language-switch button[value=en]")).to_have_attribute(
        "aria-pressed", "true"
    )

    # The choice sticks: to the ledger page and back.
    page.click('header nav a[href="/ledger"]')
    expect(page.locator("h1")).to_have_text(EN["ledger.title"])
    expect(nav_home(page)).to_have_text("Home")
    nav_home(page).click()
    expect(page.locator("h1")).to_have_text("Welcome, cq-battery admin")

    switch_language(page, "zh")
    expect(nav_home(page)).to_have_text("首页")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.goto("/ledger")
    expect(page.locator("h1")).to_have_text(ZH["ledger.title"])
    switch_language(page, "en")

    # Signed out, the language cookie still speaks English; / leads back to the sign-in page.
    sign_out(page)
    assert page.url.endswith("/sign-in")
    expect(page.locator("h1")).to_have_text(EN["sign_in.title"])  # Sign in
    expect(page.locator("#sign-out")).to_have_count(0)
    page.goto("/")
    assert page.url.endswith("/sign-in")
    switch_language(page, "zh")
    assert page.url.endswith("/sign-in")
    expect(page.locator("h1")).to_have_text("登录")
    expect(page.locator("header a.button")).to_have_text(ZH["nav.sign_in"])


def test_verifier_and_regulator_see_their_own_sections(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn]
) -> None:
    sign_in(demo["verifier"])
    received = page.locator("#grants-received")
    expect(received.locator("tbody tr")).to_have_count(1)
    expect(received).to_contain_text(_name("cq-battery"))
    expect(received).to_contain_text("Verification of the 2026 battery carbon footprint study")
    expect(page.locator("#acting-for")).to_contain_text(ZH["kind.verifier"])
    expect(page.locator("#grants-given")).to_have_count(0)
    expect(page.locator("#organisation-counts")).to_have_count(0)
    sign_out(page)

    sign_in(demo["regulator"])
    expect(page.locator("#acting-for")).to_contain_text(ZH["kind.regulator"])
    rows = page.locator("#organisation-counts tr")
    expect(rows).to_have_count(len(OrganisationKind))
    shown = {
        row.locator("th").inner_text(): int(row.locator("td.num").inner_text())
        for row in rows.all()
    }
    demo_kinds = Counter(org.kind for org in DEMO_ORGANISATIONS)
    assert shown == {ZH[f"kind.{kind}"]: demo_kinds[kind] for kind in OrganisationKind}
    assert shown[ZH["kind.enterprise"]] == 3
    # The regulator sees counts, never a company's grants or the list of organisations.
    expect(page.locator("#grants-given")).to_have_count(0)
    expect(page.locator("#grants-received")).to_have_count(0)
    expect(page.locator("#organisations")).to_have_count(0)


def test_wrong_passwords_lock_the_account(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn], platform: Platform
) -> None:
    assert Settings.model_fields["sign_in_max_failures"].default == 5
    assert platform.settings.sign_in_max_failures == 5
    battery = demo["cq-battery"]
    alert = page.locator("main .alert")

    for _ in range(5):
        sign_in(battery, password="not-the-password")
        assert page.url.endswith("/sign-in")
        expect(alert).to_have_text(ZH["sign_in.failed"])
        expect(page.locator("#email")).to_have_value(battery.email)

    # Locked now, even with the right password; the message says so.
    sign_in(battery)
    assert page.url.endswith("/sign-in")
    expect(alert).to_have_text(ZH["sign_in.locked"])
    page.goto("/")
    assert page.url.endswith("/sign-in")


def test_forms_refuse_a_tampered_or_missing_csrf_token(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn], live_server: str
) -> None:
    sign_in(demo["cq-battery"])
    expect(page.locator("h1")).to_have_text("欢迎，cq-battery admin")

    for form, button in (
        ("#sign-out", "#sign-out button[type=submit]"),
        ("#language-switch", "#language-switch button[value=en]"),
    ):
        page.evaluate(
            "(form) => { document.querySelector(form + ' input[name=csrf_token]').value ="
            " 'tampered-' + 'x'.repeat(40); }",
            form,
        )
        with page.expect_navigation() as navigation:
            page.click(button)
        assert navigation.value is not None
        assert navigation.value.status == 403, form
        expect(page.locator("h1")).to_contain_text(ZH["error.title"])
        expect(page.locator("h1")).to_contain_text("(403)")
        # Nothing happened: still signed in, still in Chinese.
        page.goto("/")
        expect(page.locator("h1")).to_have_text("欢迎，cq-battery admin")
        expect(nav_home(page)).to_have_text("首页")

    # A cross-site form post carries the cookie but cannot know the token.
    for data in (None, {"csrf_token": ""}):
        response = page.request.post(live_server + "/sign-out", form=data, max_redirects=0)
        assert response.status == 403
    page.reload()
    expect(page.locator("h1")).to_have_text("欢迎，cq-battery admin")


def test_organisation_switch_changes_who_the_user_acts_for(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn], platform: Platform
) -> None:
    battery, laptop = demo["cq-battery"], demo["cq-laptop"]
    with platform.unit_of_work() as uow:
        service.add_member(
            uow,
            principal=None,
            organisation_id=laptop.organisation_id,
            data=MemberCreate(
                email=battery.email, display_name="cq-battery admin", role=Role.VIEWER
            ),
            system=True,
        )
        uow.commit()
    acting = {
        str(battery.organisation_id): (_name("cq-battery"), ZH["role.admin"]),
        str(laptop.organisation_id): (_name("cq-laptop"), ZH["role.viewer"]),
    }

    sign_in(battery)
    select = page.locator("#organisation_id")
    expect(select.locator("option")).to_have_count(2)
    start = select.input_value()
    assert start in acting
    other = next(organisation for organisation in acting if organisation != start)

    for chosen in (other, start):
        select.select_option(chosen)
        with page.expect_navigation():
            page.click("#organisation-switch button[type=submit]")
        name, role = acting[chosen]
        expect(page.locator("#acting-for")).to_contain_text(name)
        expect(page.locator("#acting-for")).to_contain_text(f"以{role}身份")
        expect(select).to_have_value(chosen)
        is_laptop = chosen == str(laptop.organisation_id)
        # As a viewer of the laptop maker: its (empty) grants, no API clients section.
        expect(page.locator("#api-clients")).to_have_count(0 if is_laptop else 1)
        expect(page.locator("#grants-given h2")).to_contain_text(
            "共 0 条" if is_laptop else "共 2 条"
        )

    # The header shows the organisations by name, nothing else.
    labels = [
        re.sub(r"\s+", " ", text).strip() for text in select.locator("option").all_inner_texts()
    ]
    assert sorted(labels) == sorted(name for name, _ in acting.values())
