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
    links and images. The same input gives the same bytes (WeasyPrint writes no creation
    date unless the document's metadata names one)."""
    from weasyprint import HTML  # imported late: loading Pango takes ~0.3 s

    document = HTML(string=html, base_url=str(base_url) if base_url else None)
    return document.write_pdf()


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


def fonts_of(pdf: bytes, index: int, text: str) -> set[str]:
    """The names of the fonts the characters of ``text`` are drawn with on one page (without
    the subset prefix): a Chinese heading in a CJK face is real glyphs, not empty boxes."""
    import ctypes

    import pypdfium2
    import pypdfium2.raw as pdfium

    page_text_object = pypdfium2.PdfDocument(pdf)[index].get_textpage()
    content = page_text_object.get_text_range()
    start = content.find(text)
    if start < 0:
        return set()
    found = set()
    buffer, flags = ctypes.create_string_buffer(256), ctypes.c_int()
    for i in range(start, start + len(text)):
        size = pdfium.FPDFText_GetFontInfo(
            page_text_object.raw, i, buffer, 256, ctypes.byref(flags)
        )
        if size:
            found.add(buffer.value.decode(errors="replace").split("+", 1)[-1])
    return found
