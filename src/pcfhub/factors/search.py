"""Factor search: words in Chinese or English, filters, geography fallback, ranking, paging.

Words go through each database's full-text index: an FTS5 table on SQLite, a GIN index on
``to_tsvector('simple', …)`` on PostgreSQL, both over the same tokens (`factors.text`). A
geography falls back from province to grid region to country to global: CN-CQ asks for
CN-CQ, then CN-GRID-SW, then CN, then GLO, and the nearest comes first.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import case, func, literal_column, select, text
from sqlalchemy.orm import Session

from pcfhub.factors.model import Boundary, FactorStatus, Redistribution
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.factors.text import tokens
from pcfhub.platform.pages import MAX_PAGE
from pcfhub.platform.schemas import MAX_INT64

GRID_REGIONS = Path(__file__).parents[1] / "data" / "cn_grid_regions.toml"


class FactorQuery(BaseModel):
    """What to look for; every field is optional."""

    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(max_length=200)] | None = None
    geography: Annotated[str, StringConstraints(max_length=16)] | None = None
    year: int | None = Field(None, ge=1990, le=2100)
    unit: Annotated[str, StringConstraints(max_length=100)] | None = None
    boundary: Boundary | None = None
    publisher: Annotated[str, StringConstraints(max_length=300)] | None = None
    redistribution: Redistribution | None = None
    status: FactorStatus = FactorStatus.PUBLISHED
    offset: int = Field(0, ge=0, le=MAX_INT64)
    limit: int = Field(20, ge=1, le=MAX_PAGE)


@cache
def _grid_region_of() -> dict[str, str]:
    with GRID_REGIONS.open("rb") as handle:
        return {code: entry["grid"] for code, entry in tomllib.load(handle)["provinces"].items()}


def fallback_chain(geography: str) -> list[str]:
    """CN-CQ → [CN-CQ, CN-GRID-SW, CN, GLO]; CN-GRID-SW → [CN-GRID-SW, CN, GLO]; CN → [CN, GLO]."""
    chain = [geography]
    if geography.startswith("CN-") and not geography.startswith("CN-GRID-"):
        grid = _grid_region_of().get(geography)
        if grid:
            chain.append(grid)
    country = geography.split("-")[0]
    if country != geography:
        chain.append(country)
    if geography != "GLO":
        chain.append("GLO")
    return list(dict.fromkeys(chain))


def index_for_search(session: Session, row: FactorVersionRow) -> None:
    """Add a new version to SQLite's FTS5 table (PostgreSQL indexes the column itself)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(  # the FTS row shares the version's rowid: matches join on it
            text(
                "INSERT INTO factor_search (rowid, version_id, tokens) "
                "SELECT rowid, :id, :tokens FROM factor_versions WHERE id = :id"
            ),
            {"id": row.id.hex, "tokens": row.search_text},
        )


def _matching(session: Session, words: list[str]) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        expression = " ".join('"' + word.replace('"', "") + '"' for word in words)
        rowids = (
            select(text("rowid"))
            .select_from(text("factor_search"))
            .where(text("factor_search MATCH :match").bindparams(match=expression))
        )
        return literal_column("factor_versions.rowid").in_(rowids)
    vector = literal_column("factor_versions.search_vector")  # stored, GIN-indexed (0005)
    return vector.op("@@")(func.plainto_tsquery("simple", " ".join(words)))


def page_with_count(
    session: Session, stmt: Any, order: tuple[Any, ...], *, offset: int, limit: int
) -> tuple[list[FactorVersionRow], int]:
    """One page and the number of all matches, in one pass (a window count over the matches).

    The matches are ranked as narrow rows (id, ranking columns) and only the page's rows are
    then read whole, so that thousands of matches never sort their JSON records.
    """
    ranked = session.execute(
        stmt.with_only_columns(FactorVersionRow.id, func.count().over().label("total"))
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    ).all()
    if not ranked:  # a page beyond the end: count the matches on their own
        count = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        return [], count
    ids = [row.id for row in ranked]
    rows = {
        row.id: row
        for row in session.scalars(select(FactorVersionRow).where(FactorVersionRow.id.in_(ids)))
    }
    return [rows[i] for i in ids], ranked[0].total


def search_statement(
    session: Session, query: FactorQuery, *, viewer_organisation: Any, dimension: str | None
) -> tuple[Any, tuple[Any, ...]]:
    """The filtered statement and its ranking order."""
    stmt = select(FactorVersionRow).where(FactorVersionRow.status == query.status.value)
    own_lineages = select(FactorLineageRow.id).where(
        FactorLineageRow.contributor_id == viewer_organisation
    )
    private = query.status in (
        FactorStatus.DRAFT, FactorStatus.SUBMITTED, FactorStatus.IN_REVIEW, FactorStatus.REJECTED,
    )  # fmt: skip
    if private:  # one's own drafts only
        stmt = stmt.where(FactorVersionRow.lineage_id.in_(own_lineages))
    words = tokens(query.q or "")
    if words:
        stmt = stmt.where(_matching(session, words))
    order: list[Any] = []
    if query.geography:
        chain = fallback_chain(query.geography)
        stmt = stmt.where(FactorVersionRow.geography.in_(chain))
        order.append(
            case({geo: rank for rank, geo in enumerate(chain)}, value=FactorVersionRow.geography)
        )
    if query.year is not None:
        stmt = stmt.where(FactorVersionRow.reference_year == query.year)
    if dimension is not None:
        stmt = stmt.where(FactorVersionRow.dimension == dimension)
    if query.boundary is not None:
        stmt = stmt.where(FactorVersionRow.boundary == query.boundary.value)
    if query.publisher:
        stmt = stmt.where(FactorVersionRow.source_publisher.contains(query.publisher))
    if query.redistribution is not None:
        stmt = stmt.where(FactorVersionRow.redistribution == query.redistribution.value)
    order += [FactorVersionRow.reference_year.desc(), FactorVersionRow.name_en, FactorVersionRow.id]
    return stmt, tuple(order)
