"""Untrusted XML, parsed safely: no DTDs, no entities, no network (defusedxml)."""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from pcfhub.errors import DataFileError


def parse(data: bytes, *, where: str) -> Element:
    """The root element of ``data``; every failure names ``where`` (package, member)."""
    try:
        return fromstring(data)
    except ParseError as error:
        line, column = error.position
        message = f"{where}, line {line}, column {column}: not well-formed XML."
        raise DataFileError(message) from None
    except DefusedXmlException as error:
        raise DataFileError(f"{where}: refused: {error}.") from None


def local(tag: str) -> str:
    """A tag without its namespace: ``{http://…}exchange`` → ``exchange``."""
    return tag.rsplit("}", 1)[-1]


def namespace(element: Element) -> str:
    """``{http://…}`` of an element, to build the tags of its children."""
    return element.tag[: element.tag.index("}") + 1] if element.tag.startswith("{") else ""


def number(value: str | None, *, where: str) -> float:
    """A number attribute; its absence or bad text is an error naming where it is."""
    if value is None:
        raise DataFileError(f"{where}: missing.")
    try:
        result = float(value)
    except ValueError:
        raise DataFileError(f"{where}: {value!r} is not a number.") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise DataFileError(f"{where}: {value!r} is not a finite number.")
    return result
