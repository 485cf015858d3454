"""The ledger page in Chromium: the signed tree head, checking an entry by index or by its JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pcfhub.ledger import service as ledger
from pcfhub.ledger.canonical import canonical_json
from pcfhub.ledger.merkle import leaf_hash
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.web.i18n import catalogue

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from tests.e2e.conftest import SignIn

Expect = Callable[..., Any]

ZH = catalogue("zh")


def _verify_pasted(page: Page, text: str) -> None:
    page.fill("#entry", text)
    with page.expect_navigation():
        page.click("#check-entry form[action='/ledger/verify'] button[type=submit]")


def test_ledger_page_shows_the_signed_head_and_checks_an_entry_by_index(
    page: Page, expect: Expect, demo: dict[str, DemoSignIn], platform: Platform
) -> None:
    with platform.unit_of_work() as uow:
        size = ledger.size(uow.session)
        head = ledger.latest_tree_head(uow.session)
        keys = ledger.public_keys(uow.session)
    assert head is not None
    assert size > 0

    page.goto("/ledger")  # anyone may, signed in or not
    expect(page.locator("h1")).to_have_text(ZH["ledger.title"])
    expect(page.locator("#tree-size")).to_have_text(str(size))
    assert head.tree_size == size
    expect(page.locator("#tree-head")).to_contain_text(head.root_hash.hex())
    expect(page.locator("#tree-head")).to_contain_text(head.key_id)
    expect(page.locator("#public-keys")).to_contain_text(next(iter(keys)))
    expect(page.locator("#result")).to_have_count(0)

    for index in (0, size - 1):
        page.fill("#index", str(index))
        with page.expect_navigation():
            page.click("#check-entry form.row button[type=submit]")
        assert page.url.endswith(f"/ledger?index={index}")
        verdict = page.locator("#verdict")
        expect(verdict).to_contain_text("✔")
        expect(verdict).to_contain_text(ZH["ledger.verified"])
        expect(page.locator("#result")).to_contain_text(head.root_hash.hex())
        # Signed out, the entry itself stays with its organisation.
        expect(page.locator("#result pre")).to_have_count(0)

    page.goto(f"/ledger?index={size + 10}")
    expect(page.locator("#result .alert")).to_contain_text(f"no entry {size + 10}")
    expect(page.locator("#verdict")).to_have_count(0)


def test_pasted_entry_json_is_verified_and_an_edited_one_is_not_found(
    page: Page,
    expect: Expect,
    sign_in: SignIn,
    demo: dict[str, DemoSignIn],
    platform: Platform,
    live_server: str,
) -> None:
    battery = demo["cq-battery"]
    with platform.unit_of_work() as uow:
        entries, count = ledger.list_entries(uow.session, organisation_id=battery.organisation_id)
    assert count >= 2
    index = next(entry.index for entry in entries if entry.event["action"] == "grant.created")

    sign_in(battery)
    response = page.request.get(f"{live_server}/api/v1/ledger/entries/{index}")
    assert response.ok, response.text()
    served = response.json()
    assert served["index"] == index

    page.goto("/ledger")
    _verify_pasted(page, served["canonical"])
    expect(page.locator("#verdict")).to_contain_text("✔")
    expect(page.locator("#result")).to_contain_text(served["leaf_hash"])
    expect(page.locator("#result pre")).to_contain_text('"grant.created"')  # the owner sees it
    expect(page.locator("#entry")).to_have_value(served["canonical"])

    # Whitespace and key order do not matter: the entry is checked in canonical form.
    pretty = json.dumps(dict(reversed(served["entry"].items())), indent=2, ensure_ascii=False)
    _verify_pasted(page, pretty)
    expect(page.locator("#verdict")).to_contain_text("✔")

    # One changed field, and the log has no such entry.
    edited = served["entry"] | {"action": "grant.revoked"}
    _verify_pasted(page, json.dumps(edited))
    edited_hash = leaf_hash(canonical_json(edited)).hex()
    expect(page.locator("#result .alert")).to_have_text(
        ZH["ledger.not_found"].format(hash=edited_hash)
    )
    expect(page.locator("#verdict")).to_have_count(0)

    # Not JSON at all: an error page that says what to paste.
    page.fill("#entry", "not json")
    with page.expect_navigation() as navigation:
        page.click("#check-entry form[action='/ledger/verify'] button[type=submit]")
    assert navigation.value is not None
    assert navigation.value.status in (400, 422)
    expect(page.locator("main")).to_contain_text("paste the entry's JSON text")
