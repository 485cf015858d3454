"""One page of a list: bounds checked, the total counted, rows turned into public types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pcfhub.errors import InvalidInputError
from pcfhub.platform.schemas import Page

T = TypeVar("T")
MAX_PAGE = 200


def page_of(
    session: Session,
    stmt: Select[Any],
    *,
    order_by: Any,
    offset: int,
    limit: int,
    public: Callable[[Any], T],
) -> Page[T]:
    """Rows ``offset`` to ``offset + limit`` of ``stmt`` in ``order_by`` order, and the count.

    ``order_by`` should end with a unique column so that pages never overlap.
    """
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}.")
    count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = order_by if isinstance(order_by, tuple) else (order_by,)
    rows = session.scalars(stmt.order_by(*order).offset(offset).limit(limit))
    return Page(data=[public(row) for row in rows], count=count)
