"""Catalogue use cases: publish catalogue and rule versions, and find the version in force.

Versions are numbered 1, 2, … (a rule's per rule code) and never change once written; a new
version takes effect on its ``effective_from``, which may not be before the previous version's.
The version in force on a day is the one with the latest ``effective_from`` on or before it (of
two with the same date, the higher number). Every publication is a ledger entry in the same
transaction. Regulators and the platform operator maintain the catalogue (members with the
write role); everyone signed in reads it. Reads and diffs are in `catalogue.queries`.

`rule_on` and `catalogue_on` are the lookups other services call (the accounting engine asks
`rule_on(uow, code, day)` for the rule of a product's category on its reference period); they
check nothing, since their callers authorise their own users.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pcfhub.catalogue.formats import Document
from pcfhub.catalogue.model import CatalogueData, RuleData
from pcfhub.catalogue.schemas import (
    CatalogueVersionPublic,
    CatalogueVersionSummary,
    PublishedFile,
    RuleVersionPublic,
)
from pcfhub.catalogue.store import CatalogueVersionRow, RuleVersionRow
from pcfhub.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PcfhubError,
    PermissionDeniedError,
    UnitError,
)
from pcfhub.ledger import service as ledger
from pcfhub.ledger.canonical import content_hash
from pcfhub.platform.authz import authorize, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, OrganisationKind, Principal, actor_of
from pcfhub.platform.uow import UnitOfWork
from pcfhub.units import parse_unit

OBJECT_KIND = "catalogue"  # for roles and token scopes: catalogue:read, catalogue:write
MAINTAINERS = (OrganisationKind.REGULATOR, OrganisationKind.PLATFORM_OPERATOR)
PUBLISHED = "published"


def authorize_maintainer(uow: UnitOfWork, principal: Principal | None) -> Principal:
    """A member with the write role of a regulator or of the platform operator."""
    principal = require_principal(principal)
    if principal.organisation_kind not in MAINTAINERS:
        raise PermissionDeniedError(
            "Only regulators and the platform operator maintain the catalogue and its rules."
        )
    authorize(
        uow.session, principal, Action.WRITE, owner_id=principal.organisation_id,
        object_kind=OBJECT_KIND,
    )  # fmt: skip
    return principal


def authorize_reader(uow: UnitOfWork, principal: Principal | None) -> Principal:
    """Anyone signed in (a token needs the scope catalogue:read)."""
    principal = require_principal(principal)
    authorize(
        uow.session, principal, Action.READ, owner_id=principal.organisation_id,
        object_kind=OBJECT_KIND,
    )  # fmt: skip
    return principal


# Rows as served


def catalogue_summary(row: CatalogueVersionRow) -> CatalogueVersionSummary:
    sectors = row.data.get("sectors", [])
    return CatalogueVersionSummary(
        id=row.id, version=row.version, effective_from=row.effective_from, status=row.status,
        title_zh=row.data["title_zh"], title_en=row.data["title_en"], sectors=len(sectors),
        categories=sum(len(s.get("categories", [])) for s in sectors),
        content_hash=row.content_hash, created_at=row.created_at, published_at=row.published_at,
    )  # fmt: skip


def catalogue_public(row: CatalogueVersionRow) -> CatalogueVersionPublic:
    return CatalogueVersionPublic(
        **catalogue_summary(row).model_dump(), data=CatalogueData.model_validate(row.data)
    )


def rule_public(row: RuleVersionRow) -> RuleVersionPublic:
    return RuleVersionPublic(
        id=row.id, code=row.rule_code, version=row.version, effective_from=row.effective_from,
        effective_to=row.effective_to, content_hash=row.content_hash, created_at=row.created_at,
        data=RuleData.model_validate(row.data),
    )  # fmt: skip


# Lookups


def catalogue_row(session: Session, version: int) -> CatalogueVersionRow:
    row = session.scalar(select(CatalogueVersionRow).where(CatalogueVersionRow.version == version))
    if row is None:
        raise NotFoundError(f"version: the catalogue has no version {version}.")
    return row


def rule_row(session: Session, code: str, version: int) -> RuleVersionRow:
    row = session.scalar(
        select(RuleVersionRow).where(
            RuleVersionRow.rule_code == code, RuleVersionRow.version == version
        )
    )
    if row is None:
        raise NotFoundError(f"rule {code} has no version {version}.")
    return row


def catalogue_on(uow: UnitOfWork, day: date) -> CatalogueVersionPublic:
    """The catalogue version in force on ``day``; NotFoundError when none is yet."""
    row = uow.session.scalar(
        select(CatalogueVersionRow)
        .where(CatalogueVersionRow.status == PUBLISHED, CatalogueVersionRow.effective_from <= day)
        .order_by(CatalogueVersionRow.effective_from.desc(), CatalogueVersionRow.version.desc())
        .limit(1)
    )
    if row is None:
        raise NotFoundError(f"No catalogue version is in force on {day.isoformat()}.")
    return catalogue_public(row)


def rule_on(uow: UnitOfWork, code: str, day: date) -> RuleVersionPublic:
    """The version of rule ``code`` in force on ``day``: its number, its effective dates and
    the rule. NotFoundError when the rule is unknown, not yet in force, or has ended."""
    row = uow.session.scalar(
        select(RuleVersionRow)
        .where(RuleVersionRow.rule_code == code, RuleVersionRow.effective_from <= day)
        .order_by(RuleVersionRow.effective_from.desc(), RuleVersionRow.version.desc())
        .limit(1)
    )
    if row is None:
        raise NotFoundError(f"Rule {code} has no version in force on {day.isoformat()}.")
    if row.effective_to is not None and row.effective_to < day:
        raise NotFoundError(
            f"Rule {code} version {row.version} ended on {row.effective_to.isoformat()}; no "
            f"version is in force on {day.isoformat()}."
        )
    return rule_public(row)


def rule_exists(session: Session, code: str) -> bool:
    return (
        session.scalar(select(RuleVersionRow.id).where(RuleVersionRow.rule_code == code))
        is not None
    )


# Publishing


def _at(where: str | None, message: str) -> str:
    """A message placed in a file or a document: ``FILE, rules[2].unit: …``."""
    if not where:
        return message
    return f"{where}.{message}" if where.endswith("]") else f"{where}, {message}"


def _check_catalogue(session: Session, data: CatalogueData, where: str | None) -> None:
    problems = [
        _at(where, f"{path}: the code names no source; add it to code_sources with a key of "
                   "sources (publisher, document, year).")
        for path in data.unsourced_codes()
    ]  # fmt: skip
    for path, category in data.located_categories():
        if category.rule_code and not rule_exists(session, category.rule_code):
            problems.append(_at(where, f"{path}.rule_code: no rule {category.rule_code!r} is "
                                       "published; publish the rule first."))  # fmt: skip
    if problems:
        raise InvalidInputError("\n".join(problems))


def publish_catalogue(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    data: CatalogueData,
    system: bool = False,
    where: str | None = None,
) -> CatalogueVersionPublic:
    """Publish the next catalogue version (``system=True``: the platform itself, for the
    shipped seed and the command line). ``where`` names the file in error messages."""
    if not system:
        principal = authorize_maintainer(uow, principal)
    session = uow.session
    _check_catalogue(session, data, where)
    latest = session.scalar(
        select(CatalogueVersionRow).order_by(CatalogueVersionRow.version.desc()).limit(1)
    )
    if latest is not None and data.effective_from < latest.effective_from:
        raise ConflictError(_at(where, (
            f"effective_from: {data.effective_from} is before {latest.effective_from}, when "
            f"version {latest.version} takes effect; a new version cannot take effect earlier."
        )))  # fmt: skip
    record = data.model_dump(mode="json")
    if latest is not None and latest.content_hash == content_hash(record):
        raise ConflictError(_at(where, f"the catalogue is identical to version {latest.version}."))
    now = utcnow()
    row = CatalogueVersionRow(
        version=(latest.version if latest else 0) + 1, effective_from=data.effective_from,
        status=PUBLISHED, data=record, content_hash=content_hash(record),
        organisation_id=principal.organisation_id if principal else None,
        created_by=principal.user_id if principal else None, created_at=now, published_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    ledger.append(
        session, actor=actor_of(principal), organisation_id=row.organisation_id,
        action="catalogue.published", object_kind="catalogue_version", object_id=str(row.id),
    )  # fmt: skip
    return catalogue_public(row)


def publish_rule(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    data: RuleData,
    system: bool = False,
    where: str | None = None,
) -> RuleVersionPublic:
    """Publish the next version of rule ``data.code`` (its first, for a new code)."""
    if not system:
        principal = authorize_maintainer(uow, principal)
    session = uow.session
    try:
        parse_unit(data.unit)
    except UnitError as error:
        raise InvalidInputError(_at(where, f"unit: {error}")) from None
    latest = session.scalar(
        select(RuleVersionRow)
        .where(RuleVersionRow.rule_code == data.code)
        .order_by(RuleVersionRow.version.desc())
        .limit(1)
    )
    if latest is not None and data.effective_from < latest.effective_from:
        raise ConflictError(_at(where, (
            f"effective_from: {data.effective_from} is before {latest.effective_from}, when "
            f"rule {data.code} version {latest.version} takes effect."
        )))  # fmt: skip
    record = data.model_dump(mode="json")
    if latest is not None and latest.content_hash == content_hash(record):
        raise ConflictError(
            _at(where, f"rule {data.code} is identical to version {latest.version}.")
        )
    row = RuleVersionRow(
        rule_code=data.code, version=(latest.version if latest else 0) + 1,
        effective_from=data.effective_from, effective_to=data.effective_to, data=record,
        content_hash=content_hash(record),
        organisation_id=principal.organisation_id if principal else None,
        created_by=principal.user_id if principal else None,
    )  # fmt: skip
    session.add(row)
    session.flush()
    ledger.append(
        session, actor=actor_of(principal), organisation_id=row.organisation_id,
        action="rule.published", object_kind="rule_version", object_id=str(row.id),
    )  # fmt: skip
    return rule_public(row)


def latest_rule_hash(session: Session, code: str) -> str | None:
    return session.scalar(
        select(RuleVersionRow.content_hash)
        .where(RuleVersionRow.rule_code == code)
        .order_by(RuleVersionRow.version.desc())
        .limit(1)
    )


def publish_document(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    document: Document,
    system: bool = False,
    file: str | None = None,
) -> PublishedFile:
    """Publish what a file holds: a catalogue version, or a version of each rule that differs
    from its latest version. All or nothing: the caller commits only if this returns."""
    if not system:
        principal = authorize_maintainer(uow, principal)
    if isinstance(document, CatalogueData):
        published = publish_catalogue(uow, principal=principal, data=document, system=True,
                                      where=file)  # fmt: skip
        return PublishedFile(kind="catalogue", catalogue=CatalogueVersionSummary(
            **published.model_dump(exclude={"data"})))  # fmt: skip
    result = PublishedFile(kind="rules")
    problems: list[str] = []
    for index, rule in enumerate(document):
        if latest_rule_hash(uow.session, rule.code) == content_hash(rule.model_dump(mode="json")):
            result.unchanged.append(rule.code)
            continue
        try:
            result.rules.append(publish_rule(uow, principal=principal, data=rule, system=True,
                                             where=_at(file, f"rules[{index}]")))  # fmt: skip
        except PcfhubError as error:
            problems.append(str(error))
    if problems:
        raise InvalidInputError("\n".join(problems))
    if not result.rules:
        raise ConflictError(_at(file, "every rule is identical to its latest version."))
    return result


def count_versions(session: Session) -> tuple[int, int]:
    """How many catalogue versions and rule versions are stored."""
    catalogues = session.scalar(select(func.count()).select_from(CatalogueVersionRow)) or 0
    rules = session.scalar(select(func.count()).select_from(RuleVersionRow)) or 0
    return catalogues, rules
