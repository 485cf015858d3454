"""The report as PDF: real glyphs in Chinese and English, seen through PDFium's text and images."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageChops

from pcfhub.reports import pdf
from pcfhub.reports.charts import number
from pcfhub.reports.content import build
from pcfhub.reports.i18n import messages
from pcfhub.reports.render import render_html, render_pdf
from tests.reports.builders import source

URL = "https://pcf.example.cn"


@pytest.fixture(scope="module")
def documents() -> dict[str, bytes]:
    studied = source()
    return {
        lang: render_pdf(render_html(build(studied, lang), base_url=URL)) for lang in ("zh", "en")
    }


def _text(document: bytes) -> str:
    return "\n".join(pdf.page_text(document, i) for i in range(pdf.page_count(document)))


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_pdf_text_holds_the_headings_and_numbers(documents, language: str) -> None:
    text = _text(documents[language])
    texts = messages(language)
    for key in ("report.title", "section.goal", "section.results", "section.uncertainty"):
        assert texts[key] in text, key
    result = source().result
    assert number(result.result.total) in text
    assert number(result.location_based.total) in text
    if language == "zh":
        assert "产品碳足迹研究报告" in text
        assert "基于市场" in text
        assert "小部件" in text
        fonts = pdf.fonts_of(documents[language], 0, "产品碳足迹研究报告")
        assert fonts
        assert all("CJK" in name for name in fonts), fonts  # glyphs, not boxes


def test_the_pages_are_not_blank_and_differ_between_languages(documents) -> None:
    pages = {lang: pdf.pages_as_png(doc, scale=0.6) for lang, doc in documents.items()}
    for images in pages.values():
        assert len(images) >= 4
        for png in images:
            image = Image.open(io.BytesIO(png)).convert("L")
            low, high = image.getextrema()
            assert high - low > 100  # ink on paper
            assert sum(image.histogram()[:128]) > 50  # more than a page number
    zh_cover = Image.open(io.BytesIO(pages["zh"][0])).convert("L")
    en_cover = Image.open(io.BytesIO(pages["en"][0])).convert("L")
    assert ImageChops.difference(zh_cover, en_cover).getbbox() is not None
    covers = [
        sum(Image.open(io.BytesIO(p[0])).convert("L").histogram()[:128]) for p in pages.values()
    ]
    assert min(covers) > 0.003 * zh_cover.width * zh_cover.height  # the cover has real content


def test_the_same_report_gives_the_same_pdf_bytes(documents) -> None:
    again = render_pdf(render_html(build(source(), "zh"), base_url=URL))
    assert again == documents["zh"]
