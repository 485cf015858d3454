"""Debian's Chromium under Playwright (tests/support/browser.py), with Chinese text."""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

from tests.support.browser import CHROMIUM_ARGS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TEXT = "产品碳足迹"
PAGE = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{TEXT}</title>
<style>body {{ margin: 40px; font-family: sans-serif; }} h1 {{ font-size: 64px; }}</style>
</head><body><h1 id="title">{TEXT}</h1><p>Product carbon footprint · 12.5 kg CO₂e</p></body></html>
"""


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 800, "height": 300})
    yield context.new_page()
    context.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    """A local http.server serving PAGE as /index.html; yields its base URL."""
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_chromium_args() -> None:
    assert "--no-sandbox" in CHROMIUM_ARGS  # CI runs as root


def test_data_url_round_trips_chinese_text(page: Page) -> None:
    page.goto("data:text/html;charset=utf-8," + quote(PAGE))
    assert page.title() == TEXT
    assert page.inner_text("#title") == TEXT


def test_local_page_renders_chinese_glyphs(page: Page, site: str, tmp_path: Path) -> None:
    page.goto(site + "/index.html")
    assert page.inner_text("#title") == TEXT

    # Without a CJK font every character is drawn as the same empty box: draw two different
    # characters and require different pixels.
    distinct = page.evaluate(
        """() => {
            const draw = (ch) => {
                const canvas = document.createElement("canvas");
                canvas.width = canvas.height = 64;
                const ctx = canvas.getContext("2d");
                ctx.font = "48px sans-serif";
                ctx.fillText(ch, 4, 52);
                return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(",");
            };
            return draw("产") !== draw("碳");
        }"""
    )
    assert distinct, "CJK characters render as identical boxes: is fonts-noto-cjk installed?"

    shot = tmp_path / "page.png"
    page.screenshot(path=str(shot))
    data = shot.read_bytes()
    assert _png_size(data) == (800, 300)
    assert len(data) > 5_000  # a blank 800×300 page compresses to far less
