"""Small page actions the browser tests share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pcfhub.web.i18n import catalogue

if TYPE_CHECKING:
    from playwright.sync_api import Page

Expect = Callable[..., Any]  # Playwright's expect
ZH = catalogue("zh")  # the Chinese messages, to check what a page says


def submit(page: Page, selector: str) -> None:
    """Click and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


def sign_out(page: Page) -> None:
    submit(page, "#sign-out button[type=submit]")
