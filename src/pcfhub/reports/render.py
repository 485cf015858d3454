"""A `Report` as one standalone HTML document (inline CSS and SVG, no external assets), and
that document as PDF. The same template serves both languages and both formats."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from pcfhub.reports import charts
from pcfhub.reports.content import PARTS, Report
from pcfhub.reports.i18n import Texts
from pcfhub.reports.pdf import FONT_STACK, html_to_pdf

TEMPLATES = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def percent(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


def _css_string(text: str) -> Markup:
    """Text safe inside a CSS string in a <style> element (which decodes no entities)."""
    return Markup("".join(c for c in text if c not in '"\\<>&\n'))


def render_html(report: Report, *, base_url: str) -> str:
    """The report as HTML; ``base_url`` is where the platform verifies issued reports."""
    texts = Texts(report.language)
    footer = texts("report.footer", result=report.source.result_id, url=base_url)
    return (
        environment()
        .get_template("study.html")
        .render(
            r=report,
            t=texts,
            n=charts.number,
            pct=percent,
            parts=PARTS,
            base_url=base_url,
            footer=_css_string(footer),
            font_stack=Markup(FONT_STACK),
        )
    )


def render_pdf(html: str) -> bytes:
    """The PDF of a rendered report (deterministic bytes for the same HTML)."""
    return html_to_pdf(html)
