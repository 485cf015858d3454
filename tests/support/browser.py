"""Debian's Chromium, driven by Playwright, for the browser tests.

Playwright's own browser download is not available here: never run `playwright install`.
Instead `scripts/install-system-deps` installs Debian's `chromium` (and `fonts-noto-cjk`, without
which Chinese text renders as empty boxes), and tests launch it by path:

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = browser.new_page()
        ...
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

__all__ = ["CHROMIUM_ARGS", "DEBIAN_CHROMIUM", "chromium_executable", "launch_browser"]

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")

# --no-sandbox: the tests run as root, where Chromium's sandbox will not start. The rest keep a
# test run quiet and offline: no GPU, no update checks, no sync, no background requests.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """/usr/bin/chromium if installed, else the executable named by `PCFHUB_CHROMIUM`, else None."""
    if DEBIAN_CHROMIUM.exists():
        return str(DEBIAN_CHROMIUM)
    override = os.environ.get("PCFHUB_CHROMIUM")
    if override and Path(override).exists():
        return override
    return None


def launch_browser(playwright: Playwright, **kwargs: Any) -> Browser:
    """Launch headless Chromium with `CHROMIUM_ARGS`; `kwargs` go to `chromium.launch`."""
    executable = chromium_executable()
    if executable is None:
        raise RuntimeError(
            "Chromium not found at /usr/bin/chromium (run scripts/install-system-deps, "
            "or set PCFHUB_CHROMIUM)"
        )
    options: dict[str, Any] = {
        "executable_path": executable,
        "args": list(CHROMIUM_ARGS),
        "headless": True,
        **kwargs,
    }
    return playwright.chromium.launch(**options)
