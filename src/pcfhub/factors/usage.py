"""The factor market's usage: which published results used which factor versions, and each
contributor's statement per period (which versions, how often, by how many organisations).

Accounting records the uses when it publishes a result (`record_usage`); a result's uses are one
ledger entry (kind ``factor_usage``), so a statement can be checked against the ledger.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, distinct, func, select

from pcfhub.errors import ConflictError, InvalidInputError, NotFoundError
from pcfhub.factors.access import is_reviewer
from pcfhub.factors.model import FactorStatus
from pcfhub.factors.schemas import UsageLine, UsageRecord, UsageStatement
from pcfhub.factors.store import FactorLineageRow, FactorUsageRow, FactorVersionRow, usage_key
from pcfhub.ledger import service as ledger
from pcfhub.platform.authz import authorize, is_platform_admin, require_principal
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import SYSTEM_ACTOR, Action, Principal
from pcfhub.platform.uow import UnitOfWork

# A result may pin a version that has since been superseded; it may not use one that was never
# published or was withdrawn.
USABLE = (FactorStatus.PUBLISHED.value, FactorStatus.SUPERSEDED.value)
MAX_PERIOD = timedelta(days=366 * 5)


def record_usage(
    uow: UnitOfWork, *, principal: Principal | None, organisation_id: uuid.UUID, usage: UsageRecord
) -> int:
    """Record that a published result of ``organisation_id`` used these factor versions.

    Called by the capability that publishes the result, in its unit of work. A result's uses
    are recorded once; returns how many versions were recorded.
    """
    session = uow.session
    version_ids = sorted(set(usage.version_ids))
    found = {
        row.id: row.status
        for row in session.execute(
            select(FactorVersionRow.id, FactorVersionRow.status).where(
                FactorVersionRow.id.in_(version_ids)
            )
        )
    }
    missing = [str(v) for v in version_ids if v not in found]
    if missing:
        raise InvalidInputError(f"version_ids: no factor version {', '.join(missing)}.")
    unusable = [f"{v} ({found[v]})" for v in version_ids if found[v] not in USABLE]
    if unusable:
        raise InvalidInputError(
            "version_ids: a published result may use only published or superseded versions, "
            f"not {', '.join(unusable)}."
        )
    already = session.scalar(
        select(func.count())
        .select_from(FactorUsageRow)
        .where(
            FactorUsageRow.result_kind == usage.result_kind,
            FactorUsageRow.result_id == usage.result_id,
        )
    )
    if already:
        raise ConflictError(
            f"result_id: the factor uses of {usage.result_kind} {usage.result_id} are recorded."
        )
    now = utcnow()
    session.add_all(
        FactorUsageRow(
            version_id=version_id,
            organisation_id=organisation_id,
            result_kind=usage.result_kind,
            result_id=usage.result_id,
            used_at=now,
        )
        for version_id in version_ids
    )
    ledger.append(
        session,
        actor=principal.actor if principal else SYSTEM_ACTOR,
        organisation_id=organisation_id,
        action="factor.used",
        object_kind="factor_usage",
        object_id=usage_key(usage.result_kind, usage.result_id),
        time=now,
    )
    return len(version_ids)


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise InvalidInputError("end: the period ends before it starts.")
    if end - start >= MAX_PERIOD:
        raise InvalidInputError("end: a statement covers at most five years.")
    if end == date.max:
        raise InvalidInputError(f"end: give a date before {date.max}.")
    begin = datetime.combine(start, time.min, tzinfo=UTC)
    stop = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    return begin, stop


def usage_statement(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    start: date,
    end: date,
    contributor_id: uuid.UUID | None = None,
) -> UsageStatement:
    """The statement of ``contributor_id`` (default: the caller's organisation) for the days
    ``start`` to ``end``. Members read their own; reviewers and platform admins any."""
    principal = require_principal(principal)
    contributor = contributor_id or principal.organisation_id
    if contributor == principal.organisation_id:
        authorize(uow.session, principal, Action.READ, owner_id=contributor, object_kind="factor")
    elif not (is_reviewer(principal) or is_platform_admin(principal)):
        raise NotFoundError(f"No usage statement of organisation {contributor} here.")
    begin, stop = _period(start, end)
    in_period = (
        select(FactorUsageRow)
        .join(FactorVersionRow, FactorVersionRow.id == FactorUsageRow.version_id)
        .join(FactorLineageRow, FactorLineageRow.id == FactorVersionRow.lineage_id)
        .where(
            FactorLineageRow.contributor_id == contributor,
            FactorUsageRow.used_at >= begin,
            FactorUsageRow.used_at < stop,
        )
        .subquery()
    )
    own = case((in_period.c.organisation_id == contributor, 1), else_=0)
    rows = uow.session.execute(
        select(
            FactorVersionRow.id,
            FactorLineageRow.lineage_key,
            FactorVersionRow.version,
            FactorVersionRow.name_zh,
            FactorVersionRow.name_en,
            func.count().label("uses"),
            func.count(distinct(in_period.c.organisation_id)).label("organisations"),
            func.sum(own).label("own_uses"),
        )
        .join(in_period, in_period.c.version_id == FactorVersionRow.id)
        .join(FactorLineageRow, FactorLineageRow.id == FactorVersionRow.lineage_id)
        .group_by(
            FactorVersionRow.id,
            FactorLineageRow.lineage_key,
            FactorVersionRow.version,
            FactorVersionRow.name_zh,
            FactorVersionRow.name_en,
        )
        .order_by(FactorLineageRow.lineage_key, FactorVersionRow.version)
    ).all()
    organisations = uow.session.scalar(select(func.count(distinct(in_period.c.organisation_id))))
    lines = [
        UsageLine(
            version_id=row.id,
            lineage_key=row.lineage_key,
            version=row.version,
            name_zh=row.name_zh,
            name_en=row.name_en,
            uses=row.uses,
            organisations=row.organisations,
            own_uses=int(row.own_uses or 0),
        )
        for row in rows
    ]
    return UsageStatement(
        contributor_id=contributor,
        start=start,
        end=end,
        lines=lines,
        uses=sum(line.uses for line in lines),
        organisations=organisations or 0,
        generated_at=utcnow(),
    )
