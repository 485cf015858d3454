"""What the home page shows, by the kind of organisation the user acts for."""

from __future__ import annotations

from typing import Any

from pcfhub.ledger import service as ledger
from pcfhub.platform import clients, grants, service
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.uow import UnitOfWork

RECEIVING_KINDS = frozenset(
    {
        OrganisationKind.VERIFIER,
        OrganisationKind.CERTIFICATION_BODY,
        OrganisationKind.BANK,
        OrganisationKind.PUBLIC_BUYER,
    }
)


def home_sections(uow: UnitOfWork, principal: Principal) -> dict[str, Any]:
    """The data of each home-page section the principal's role and organisation kind get."""
    kind = principal.organisation_kind
    org = principal.organisation_id
    sections: dict[str, Any] = {
        "organisation": service.get_organisation(uow, principal=principal, organisation_id=org),
        "members": service.list_members(uow, principal=principal, organisation_id=org, limit=20),
    }
    if principal.role == Role.ADMIN:
        sections["api_clients"] = clients.list_api_clients(
            uow, principal=principal, organisation_id=org, limit=20
        )
    if kind == OrganisationKind.ENTERPRISE:
        sections["grants_given"] = grants.list_grants(uow, principal=principal, limit=20)
    if kind in RECEIVING_KINDS:
        sections["grants_received"] = grants.list_grants(
            uow, principal=principal, received=True, limit=20
        )
    if kind in (OrganisationKind.REGULATOR, OrganisationKind.PLATFORM_OPERATOR):
        sections["organisation_counts"] = service.organisation_counts(uow, principal=principal)
    if kind == OrganisationKind.PLATFORM_OPERATOR:
        sections["organisations"] = service.list_organisations(uow, principal=principal, limit=50)
    entries, count = ledger.list_entries(uow.session, organisation_id=org, limit=10)
    sections["ledger_entries"] = {
        "data": [e.event | {"index": e.index} for e in entries],
        "count": count,
    }
    return sections
