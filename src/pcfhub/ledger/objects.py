"""What the ledger knows about objects: how to read the content it hashes, per object kind.

Each capability registers its ledgered kinds with `object_kind`. The function returns the
object's content as plain JSON values (or None when the object no longer exists); the ledger
stores its RFC 8785 content hash, and `pcfhub verify` recomputes it to find edited rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

ContentReader = Callable[[Session, str], dict[str, Any] | None]
IdLister = Callable[[Session], Iterable[str]]

_READERS: dict[str, ContentReader] = {}
_LISTERS: dict[str, IdLister] = {}


def object_kind(kind: str, *, ids: IdLister) -> Callable[[ContentReader], ContentReader]:
    """Register a ledgered object kind: how to read one object's content, and how to list the
    ids of every stored object (so that a row written behind the ledger's back is found)."""

    def register(reader: ContentReader) -> ContentReader:
        if kind in _READERS and _READERS[kind] is not reader:
            raise ValueError(f"ledger object kind {kind!r} is registered twice")
        _READERS[kind] = reader
        _LISTERS[kind] = ids
        return reader

    return register


def stored_ids(session: Session) -> dict[str, set[str]]:
    """The ids of every stored object of every ledgered kind."""
    return {kind: {str(i) for i in lister(session)} for kind, lister in _LISTERS.items()}


def read_content(session: Session, kind: str, object_id: str) -> dict[str, Any] | None:
    """The current content of an object, as the ledger hashes it."""
    try:
        reader = _READERS[kind]
    except KeyError:
        raise KeyError(f"ledger object kind {kind!r} has no registered content reader") from None
    return reader(session, object_id)


def registered_kinds() -> frozenset[str]:
    return frozenset(_READERS)


def ids_of(session: Session, table: type[Any]) -> list[str]:
    """Every id of a table whose primary key is ``id``: the usual ``ids`` lister."""
    return [str(i) for i in session.scalars(select(table.id))]


def row_by_id(session: Session, table: type[Any], object_id: str) -> Any:
    """The row of a table keyed by a UUID ``id``, or None (also for a malformed id)."""
    try:
        return session.get(table, uuid.UUID(object_id))
    except ValueError:
        return None
