"""Reading the catalogue and its rules (everyone signed in): versions, the version in force on
a day, categories by code, HS code or name, the rules, and diffs between versions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pcfhub.catalogue import service
from pcfhub.catalogue.diff import diff_catalogues, diff_rules
from pcfhub.catalogue.model import CatalogueData, RuleData
from pcfhub.catalogue.schemas import (
    CatalogueDiff,
    CatalogueVersionPublic,
    CatalogueVersionSummary,
    CategoryHit,
    RuleDiff,
    RuleSummary,
    RuleVersionPublic,
)
from pcfhub.catalogue.store import CatalogueVersionRow, RuleVersionRow
from pcfhub.errors import InvalidInputError, NotFoundError
from pcfhub.platform.model import Principal
from pcfhub.platform.pages import MAX_PAGE, page_of
from pcfhub.platform.schemas import Page
from pcfhub.platform.uow import UnitOfWork


def list_catalogue_versions(
    uow: UnitOfWork, *, principal: Principal | None, offset: int = 0, limit: int = 50
) -> Page[CatalogueVersionSummary]:
    """Every catalogue version, newest first."""
    service.authorize_reader(uow, principal)
    return page_of(
        uow.session, select(CatalogueVersionRow),
        order_by=(CatalogueVersionRow.version.desc(),), offset=offset, limit=limit,
        public=service.catalogue_summary,
    )  # fmt: skip


def get_catalogue_version(
    uow: UnitOfWork, *, principal: Principal | None, version: int
) -> CatalogueVersionPublic:
    service.authorize_reader(uow, principal)
    return service.catalogue_public(service.catalogue_row(uow.session, version))


def effective_catalogue(
    uow: UnitOfWork, *, principal: Principal | None, day: date
) -> CatalogueVersionPublic:
    """The catalogue version in force on ``day``."""
    service.authorize_reader(uow, principal)
    return service.catalogue_on(uow, day)


def catalogue_diff(
    uow: UnitOfWork, *, principal: Principal | None, from_version: int, to_version: int
) -> CatalogueDiff:
    """What changed from catalogue version ``from_version`` to ``to_version``."""
    service.authorize_reader(uow, principal)
    older = service.catalogue_row(uow.session, from_version)
    newer = service.catalogue_row(uow.session, to_version)
    return diff_catalogues(
        CatalogueData.model_validate(older.data), CatalogueData.model_validate(newer.data),
        from_version=from_version, to_version=to_version,
    )  # fmt: skip


def find_categories(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    q: str | None = None,
    code: str | None = None,
    hs: str | None = None,
    day: date | None = None,
    version: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[CategoryHit]:
    """Categories of one catalogue version (the one in force on ``day``, today by default, or
    ``version``) by exact code, by HS code (8507, 850760 and 85076000 all find 8507.60), and by
    words in either name or the code; all given filters apply."""
    service.authorize_reader(uow, principal)
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidInputError(f"offset must be ≥ 0 and limit between 1 and {MAX_PAGE}.")
    if hs is not None and not hs.replace(".", "").strip().isdigit():
        raise InvalidInputError(f"hs: {hs!r} is not an HS code; give digits, e.g. 8507.60.")
    found = (
        service.catalogue_public(service.catalogue_row(uow.session, version))
        if version is not None
        else service.catalogue_on(uow, day or date.today())
    )
    words = (q or "").lower().split()[:8]
    hits = []
    for sector in found.data.sectors:
        for category in sector.categories:
            text = " ".join((category.code, category.name_zh, category.name_en, sector.name_zh,
                             sector.name_en)).lower()  # fmt: skip
            if (
                (code is None or category.code == code)
                and (hs is None or category.matches_hs(hs))
                and all(word in text for word in words)
            ):
                hits.append(CategoryHit(
                    catalogue_version=found.version, sector_code=sector.code,
                    sector_name_zh=sector.name_zh, sector_name_en=sector.name_en,
                    category=category,
                ))  # fmt: skip
    return Page(data=hits[offset : offset + limit], count=len(hits))


def list_rules(
    uow: UnitOfWork, *, principal: Principal | None, day: date | None = None
) -> Page[RuleSummary]:
    """Every rule by code: its latest version and the one in force on ``day`` (today)."""
    service.authorize_reader(uow, principal)
    day = day or date.today()
    rows = uow.session.scalars(
        select(RuleVersionRow).order_by(RuleVersionRow.rule_code, RuleVersionRow.version)
    ).all()
    by_code: dict[str, list[RuleVersionRow]] = {}
    for row in rows:
        by_code.setdefault(row.rule_code, []).append(row)
    summaries = []
    for code, versions in by_code.items():
        latest = RuleData.model_validate(versions[-1].data)
        in_force = [
            r for r in versions
            if r.effective_from <= day and (r.effective_to is None or day <= r.effective_to)
        ]  # fmt: skip
        current = max(in_force, key=lambda r: (r.effective_from, r.version), default=None)
        summaries.append(RuleSummary(
            code=code, title_zh=latest.title_zh, title_en=latest.title_en,
            standard=latest.standard, illustrative=latest.illustrative, versions=len(versions),
            latest_version=versions[-1].version,
            effective_version=current.version if current else None,
        ))  # fmt: skip
    return Page(data=summaries, count=len(summaries))


def effective_rule(
    uow: UnitOfWork, *, principal: Principal | None, code: str, day: date
) -> RuleVersionPublic:
    """The version of rule ``code`` in force on ``day``."""
    service.authorize_reader(uow, principal)
    return service.rule_on(uow, code, day)


def rule_versions(
    uow: UnitOfWork, *, principal: Principal | None, code: str
) -> list[RuleVersionPublic]:
    """Every version of a rule, oldest first."""
    service.authorize_reader(uow, principal)
    rows = uow.session.scalars(
        select(RuleVersionRow)
        .where(RuleVersionRow.rule_code == code)
        .order_by(RuleVersionRow.version)
    ).all()
    if not rows:
        raise NotFoundError(f"No rule {code} here.")
    return [service.rule_public(row) for row in rows]


def get_rule_version(
    uow: UnitOfWork, *, principal: Principal | None, code: str, version: int
) -> RuleVersionPublic:
    service.authorize_reader(uow, principal)
    return service.rule_public(service.rule_row(uow.session, code, version))


def rule_diff(
    uow: UnitOfWork, *, principal: Principal | None, code: str, from_version: int, to_version: int
) -> RuleDiff:
    """What changed in rule ``code`` from one version to another."""
    service.authorize_reader(uow, principal)
    older = service.rule_row(uow.session, code, from_version)
    newer = service.rule_row(uow.session, code, to_version)
    return diff_rules(
        RuleData.model_validate(older.data), RuleData.model_validate(newer.data),
        from_version=from_version, to_version=to_version,
    )  # fmt: skip
