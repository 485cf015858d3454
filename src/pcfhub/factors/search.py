"""Factor search: words in Chinese or English, filters, geography fallback, ranking, paging.

Words go through each database's full-text index: an FTS5 table on SQLite, a GIN index on
``to_tsvector('simple', …)`` on PostgreSQL, both over the same tokens (`factors.text`). A
geography falls back from province to grid region to country to global: CN-CQ asks for
CN-CQ, then CN-GRID-SW, then CN, then GLO, and the nearest comes first. Among equally near
matches, the one that fits the words best comes first (each database's full-text rank), then
the newest.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import case, column, func, literal_column, select, text
from sqlalchemy.orm import Session

from pcfhub.factors.model import Boundary, FactorStatus, Redistribution
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.factors.text import tokens
from pcfhub.platform.pages import MAX_PAGE
from pcfhub.platform.schemas import MAX_INT64

GRID_REGIONS = Path(__file__).parents[1] / "data" / "cn_grid_regions.toml"


class ListedStatus(StrEnum):
    """The statuses of versions open to everyone signed in: published, and those a newer
    version replaced or their contributor withdrew. (Drafts, submissions and rejections are
    their contributor's own: `FactorQuery` finds only one's own of those.)"""

    PUBLISHED = FactorStatus.PUBLISHED.value
    SUPERSEDED = FactorStatus.SUPERSEDED.value
    WITHDRAWN = FactorStatus.WITHDRAWN.value


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


HITS = "hits"  # SQLite: the FTS5 matches, each with its bm25 rank, joined on the rowid


def _matching(session: Session, words: list[str]) -> Any:
    """The condition that keeps versions holding every word.

    On SQLite it joins FTS5's matches (``HITS``) on the rowid, so that one pass of the index
    gives both the matches and their rank (`_relevance`); on PostgreSQL it is the tsvector match.
    """
    if session.get_bind().dialect.name == "sqlite":
        expression = " ".join('"' + word.replace('"', "") + '"' for word in words)
        hits = (
            select(literal_column("rowid").label("rowid"), literal_column("rank").label("rank"))
            .select_from(text("factor_search"))
            .where(text("factor_search MATCH :match").bindparams(match=expression))
            .subquery(HITS)
        )
        # The version's rowid, bound to its table so that the join condition links the two.
        rowid = column("rowid", _selectable=FactorVersionRow.__table__)
        return rowid == hits.c.rowid
    vector = literal_column("factor_versions.search_vector")  # stored, GIN-indexed (0005)
    return vector.op("@@")(func.plainto_tsquery("simple", " ".join(words)))


# Each fit is taken as a share of the best match's fit, rounded to tenths: matches in the same
# tenth count as equally good (the best and those within 5% of it always do), so that a series
# of one factor over the years, whose records differ in a word or two of their source
# document, still lists the newest first.
RELEVANCE_TIERS = 10


def _relevance(session: Session, stmt: Any, words: list[str]) -> Any | None:
    """How well each match fits the words, in tiers of the best fit, best first.

    The fit is each database's full-text rank: FTS5's bm25 (negative, lower is better) or
    PostgreSQL's ts_rank divided by 1 + log(length), as bm25 also favours short documents.
    A version stores each token once, so both mostly favour the record with fewer other words
    (a factor named by the words before a longer name that holds them too).
    None when the statement did not match the words through the index (the benchmark's LIKE
    baseline replaces `_matching`).
    """
    if session.get_bind().dialect.name == "sqlite":
        hits = next((f for f in stmt.get_final_froms() if getattr(f, "name", "") == HITS), None)
        if hits is None:
            return None
        fit, best = hits.c.rank, func.min(hits.c.rank).over()
    else:
        vector = literal_column("factor_versions.search_vector")
        fit = func.ts_rank(vector, func.plainto_tsquery("simple", " ".join(words)), 1)
        best = func.max(fit).over()
    return func.round(fit / func.nullif(best, 0) * RELEVANCE_TIERS).desc()


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
    """The filtered statement and its ranking order: nearest geography, then (with words) the
    best match, then the newest year; name and id make the order total."""
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
    order: list[Any] = []
    if query.geography:
        chain = fallback_chain(query.geography)
        stmt = stmt.where(FactorVersionRow.geography.in_(chain))
        order.append(
            case({geo: rank for rank, geo in enumerate(chain)}, value=FactorVersionRow.geography)
        )
    if words:
        stmt = stmt.where(_matching(session, words))
        relevance = _relevance(session, stmt, words)
        if relevance is not None:
            order.append(relevance)
    if query.year is not None:
        stmt = stmt.where(FactorVersionRow.reference_year == query.year)
    if dimension is not None:
        stmt = stmt.where(FactorVersionRow.dimension == dimension)
    if query.boundary is not None:
        stmt = stmt.where(FactorVersionRow.boundary == query.boundary.value)
    if query.publisher:  # part of the name, in any case, on both databases; % and _ as typed
        stmt = stmt.where(
            FactorVersionRow.source_publisher.icontains(query.publisher, autoescape=True)
        )
    if query.redistribution is not None:
        stmt = stmt.where(FactorVersionRow.redistribution == query.redistribution.value)
    order += [FactorVersionRow.reference_year.desc(), FactorVersionRow.name_en, FactorVersionRow.id]
    return stmt, tuple(order)
