"""The administration page in Chromium: members, API clients and grants, and bad input."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import httpx2

from pcfhub.ledger import service as ledger
from pcfhub.platform import service
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Role
from pcfhub.platform.schemas import MemberCreate
from pcfhub.web.i18n import catalogue

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn

Expect = Callable[..., Any]
ZH = catalogue("zh")


def submit(page: Page, form: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


def test_admin_adds_a_member_issues_a_client_and_grants_access(
    page: Page,
    expect: Expect,
    sign_in: SignIn,
    demo: dict[str, DemoSignIn],
    platform: Platform,
    live_server: str,
) -> None:
    sign_in(demo["cq-battery"])
    page.click('header nav a[href="/admin"]')
    expect(page.locator("h1")).to_have_text(ZH["admin.title"])

    # A new member, who can then sign in with the initial password.
    page.fill("#member-email", "wang.fang@example.org")
    page.fill("#member-name", "王芳")
    page.select_option("#member-role", "editor")
    page.fill("#member-password", "initial-password-1")
    submit(page, "#add-member")
    expect(page.locator("#done")).to_have_text(ZH["admin.done.member_added"])
    expect(page.locator("#members tbody tr")).to_have_count(2)
    expect(page.locator("#members")).to_contain_text("王芳")

    # An API client: the secret is shown once and works at the token endpoint.
    page.fill("#client-name", "ERP connector")
    page.fill("#client-scopes", "grant:read")
    submit(page, "#new-client")
    client_id = page.locator("#client-id").inner_text()
    secret = page.locator("#client-secret").inner_text()
    basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    token = httpx2.post(
        f"{live_server}/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "grant:read"
    page.goto("/admin")
    expect(page.locator("#created-client")).to_have_count(0)  # never shown again

    # A grant to the certification body, then revoked.
    before = _ledger_size(platform)
    page.fill("#grant-grantee", "certifier")
    page.select_option("#grant-kind", "result")
    page.fill("#grant-purpose", "碳标识认证 label decision")
    page.fill("#grant-expires", (date.today() + timedelta(days=30)).isoformat())
    submit(page, "#new-grant")
    expect(page.locator("#done")).to_have_text(ZH["admin.done.grant_created"])
    row = page.locator("#grants tbody tr", has_text="label decision")
    expect(row).to_contain_text(ZH["table.active"])
    assert _ledger_size(platform) == before + 1
    with page.expect_navigation():
        row.locator("button[type=submit]").click()
    expect(page.locator("#done")).to_have_text(ZH["admin.done.grant_revoked"])
    expect(page.locator("#grants tbody tr", has_text="label decision")).to_contain_text(
        ZH["table.revoked"]
    )

    # The new member signs in.
    page.click("#sign-out button[type=submit]")
    page.goto("/sign-in")
    page.fill("#email", "wang.fang@example.org")
    page.fill("#password", "initial-password-1")
    submit(page, "#sign-in")
    expect(page.locator("h1")).to_have_text("欢迎，王芳")
    expect(page.locator('header nav a[href="/admin"]')).to_have_count(0)  # an editor


def test_bad_input_is_explained_and_changes_nothing(
    page: Page,
    expect: Expect,
    sign_in: SignIn,
    demo: dict[str, DemoSignIn],
    platform: Platform,
) -> None:
    sign_in(demo["cq-battery"])
    page.goto("/admin")
    before = _ledger_size(platform)
    page.fill("#grant-grantee", "no-such-organisation")
    page.fill("#grant-purpose", "test")
    page.fill("#grant-expires", (date.today() + timedelta(days=3)).isoformat())
    submit(page, "#new-grant")
    expect(page.locator("#problems")).to_contain_text("no-such-organisation")
    page.fill("#grant-grantee", "verifier")
    page.fill("#grant-purpose", "test")
    page.fill("#grant-expires", (date.today() - timedelta(days=3)).isoformat())
    submit(page, "#new-grant")
    expect(page.locator("#problems")).to_contain_text("expires_at")
    page.fill("#client-name", "bad scopes")
    page.fill("#client-scopes", "everything")
    submit(page, "#new-client")
    expect(page.locator("#problems")).to_contain_text("scopes")
    assert _ledger_size(platform) == before


def test_only_admins_reach_the_administration_page(
    page: Page, expect: Expect, sign_in: SignIn, demo: dict[str, DemoSignIn], platform: Platform
) -> None:
    with platform.unit_of_work() as uow:
        service.add_member(
            uow,
            principal=None,
            organisation_id=demo["cq-laptop"].organisation_id,
            data=MemberCreate(
                email="viewer@example.org",
                display_name="Viewer",
                password="viewer-password-1",
                role=Role.VIEWER,
            ),
            system=True,
        )
        uow.commit()
    page.goto("/sign-in")
    page.fill("#email", "viewer@example.org")
    page.fill("#password", "viewer-password-1")
    submit(page, "#sign-in")
    response = page.goto("/admin")
    assert response is not None
    assert response.status == 403
    expect(page.locator("h1")).to_contain_text(ZH["error.title"])


def _ledger_size(platform: Platform) -> int:
    with platform.unit_of_work() as uow:
        return ledger.size(uow.session)
