"""What the ledger knows about objects: how to read the content it hashes, per object kind.

Each capability registers its ledgered kinds with `object_kind`. The function returns the
object's content as plain JSON values (or None when the object no longer exists); the ledger
stores its RFC 8785 content hash, and `pcfhub verify` recomputes it to find edited rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

ContentReader = Callable[[Session, str], dict[str, Any] | None]

_READERS: dict[str, ContentReader] = {}


def object_kind(kind: str) -> Callable[[ContentReader], ContentReader]:
    """Register the content reader of a ledgered object kind."""

    def register(reader: ContentReader) -> ContentReader:
        if kind in _READERS and _READERS[kind] is not reader:
            raise ValueError(f"ledger object kind {kind!r} is registered twice")
        _READERS[kind] = reader
        return reader

    return register


def read_content(session: Session, kind: str, object_id: str) -> dict[str, Any] | None:
    """The current content of an object, as the ledger hashes it."""
    try:
        reader = _READERS[kind]
    except KeyError:
        raise KeyError(f"ledger object kind {kind!r} has no registered content reader") from None
    return reader(session, object_id)


def registered_kinds() -> frozenset[str]:
    return frozenset(_READERS)
