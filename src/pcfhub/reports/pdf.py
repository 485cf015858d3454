"""HTML to PDF through WeasyPrint (Pango lays out text with the system's fonts), and PDF pages
to PNG images through PDFium, so that tests and previews can look at what was rendered.

Chinese text needs a CJK font from Debian's packages (``fonts-noto-cjk``, installed by
``scripts/install-system-deps``); `CJK_FONTS` lists the families the report styles ask for.
"""

from __future__ import annotations

import io
from pathlib import Path

#: Families tried in order for text; Noto Sans CJK SC covers Latin and Chinese in one face.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "DejaVu Sans", "sans-serif")
FONT_STACK = ", ".join(f'"{name}"' if " " in name else name for name in CJK_FONTS)


def html_to_pdf(html: str, *, base_url: str | Path | None = None) -> bytes:
    """The PDF of an HTML document (its CSS may use ``@page``); ``base_url`` resolves relative
    links and images. Deterministic for the same input except WeasyPrint's creation date,
    which is fixed so that the same report gives the same bytes."""
    from weasyprint import HTML  # imported late: loading Pango takes ~0.3 s

    document = HTML(string=html, base_url=str(base_url) if base_url else None)
    return document.write_pdf(metadata={"created": "", "modified": ""}, uncompressed_pdf=False)


def page_count(pdf: bytes) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(pdf))


def pages_as_png(
    pdf: bytes, *, scale: float = 1.0, first: int = 0, last: int | None = None
) -> list[bytes]:
    """PNG images of the PDF's pages ``first``..``last`` (inclusive) at ``scale`` × 72 dpi."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    end = len(document) - 1 if last is None else min(last, len(document) - 1)
    images = []
    for index in range(first, end + 1):
        bitmap = document[index].render(scale=scale)
        buffer = io.BytesIO()
        bitmap.to_pil().save(buffer, format="PNG")
        images.append(buffer.getvalue())
    return images


def page_text(pdf: bytes, index: int) -> str:
    """The text PDFium extracts from one page (glyphs mapped back through the font's cmap)."""
    import pypdfium2

    return pypdfium2.PdfDocument(pdf)[index].get_textpage().get_text_range()
