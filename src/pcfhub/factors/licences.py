"""Licences on proprietary factors: grants of kind ``factor`` from a factor's contributor.

A grant's ``object_id`` is a lineage id (every version of one factor); a grant without an
object id licenses every factor the grantor contributes. Only grants whose grantor is the
lineage's contributor count: anyone else's grant on it is ignored, and `create_grant` refuses it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from pcfhub.factors.model import Redistribution
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.platform import grants
from pcfhub.platform.authz import active_grants
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import Action, Principal
from pcfhub.platform.schemas import GrantCreate, GrantPublic
from pcfhub.platform.uow import UnitOfWork

FACTOR_GRANT = "factor"

# (grantor, lineage id) pairs; lineage id None: every lineage of that grantor.
Licences = frozenset[tuple[uuid.UUID, str | None]]


def lineage_contributor(session: Session, object_id: str) -> uuid.UUID | None:
    """The contributor of the lineage ``object_id`` (None: no such lineage, or reference data)."""
    try:
        lineage = session.get(FactorLineageRow, uuid.UUID(object_id))
    except ValueError:
        return None
    return lineage.contributor_id if lineage is not None else None


grants.register_object_owner(FACTOR_GRANT, lineage_contributor)


def licences_held(session: Session, principal: Principal) -> Licences:
    """The factor licences the viewer's organisation holds now (not revoked, not expired)."""
    return frozenset(
        (grant.grantor_id, grant.object_id)
        for grant in active_grants(
            session, grantee_id=principal.organisation_id, object_kind=FACTOR_GRANT, now=utcnow()
        )
        if Action.READ in grant.actions
    )


def holds_licence(row: FactorVersionRow, licences: Licences) -> bool:
    """Whether one of ``licences``, granted by the factor's contributor, covers ``row``."""
    contributor = row.lineage.contributor_id
    return contributor is not None and (
        (contributor, str(row.lineage_id)) in licences or (contributor, None) in licences
    )


def is_proprietary(row: FactorVersionRow) -> bool:
    return row.redistribution == Redistribution.NONE.value


def grant_licence(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    lineage_id: uuid.UUID,
    grantee: str,
    purpose: str,
    expires_at: datetime,
) -> GrantPublic:
    """The contributor's admin licenses every version of one of its factors to ``grantee``."""
    return grants.create_grant(
        uow,
        principal=principal,
        data=GrantCreate(
            grantee=grantee,
            object_kind=FACTOR_GRANT,
            object_id=str(lineage_id),
            actions=[Action.READ],
            purpose=purpose,
            expires_at=expires_at,
        ),
    )
