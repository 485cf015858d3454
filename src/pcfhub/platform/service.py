"""Platform use cases: organisations and their members.

API clients are in `clients`, grants in `grants`.

Each function takes a unit of work and the acting principal (keyword-only), asks `authz`, makes
its change, and writes the ledger entry in the same transaction. The caller commits.
``principal=None`` with ``system=True`` is the command line acting as the platform itself.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager

from pcfhub.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.ledger import service as ledger
from pcfhub.platform.authz import (
    authorize,
    authorize_platform,
    is_platform_admin,
    require_no_escalation,
    require_principal,
)
from pcfhub.platform.model import Action, OrganisationKind, Principal, Role, actor_of
from pcfhub.platform.pages import page_of
from pcfhub.platform.schemas import (
    MemberCreate,
    MemberPublic,
    OrganisationCreate,
    OrganisationPublic,
    Page,
)
from pcfhub.platform.security import hash_password
from pcfhub.platform.store import (
    MembershipRow,
    OrganisationRow,
    UserRow,
)
from pcfhub.platform.uow import UnitOfWork

# Organisations


def _organisation_public(row: OrganisationRow) -> OrganisationPublic:
    return OrganisationPublic.model_validate(row, from_attributes=True)


def create_organisation(
    uow: UnitOfWork, *, principal: Principal | None, data: OrganisationCreate, system: bool = False
) -> OrganisationPublic:
    """A new tenant; only the platform operator's admins (or the CLI) may create one."""
    if not system:
        authorize_platform(principal, "create organisations")
    session = uow.session
    if session.scalar(select(OrganisationRow.id).where(OrganisationRow.slug == data.slug)):
        raise ConflictError(f"slug: an organisation called {data.slug!r} exists already.")
    row = OrganisationRow(slug=data.slug, name=data.name, kind=data.kind.value)
    session.add(row)
    session.flush()
    ledger.append(
        session,
        actor=actor_of(principal),
        organisation_id=row.id,
        action="organisation.created",
        object_kind="organisation",
        object_id=str(row.id),
    )
    return _organisation_public(row)


def get_organisation(
    uow: UnitOfWork, *, principal: Principal | None, organisation_id: uuid.UUID
) -> OrganisationPublic:
    if not is_platform_admin(principal):  # the operator keeps the directory
        authorize(
            uow.session,
            principal,
            Action.READ,
            owner_id=organisation_id,
            object_kind="organisation",
            object_id=str(organisation_id),
        )
    row = uow.session.get(OrganisationRow, organisation_id)
    if row is None:
        raise NotFoundError(f"No organisation {organisation_id} here.")
    return _organisation_public(row)


def organisation_by_slug(session: Session, slug: str) -> OrganisationRow:
    row = session.scalar(select(OrganisationRow).where(OrganisationRow.slug == slug))
    if row is None:
        raise NotFoundError(f"No organisation with slug {slug!r}.")
    return row


def list_organisations(
    uow: UnitOfWork, *, principal: Principal | None, offset: int = 0, limit: int = 50
) -> Page[OrganisationPublic]:
    """All organisations (operator) or the ones the principal belongs to."""
    principal = require_principal(principal)
    stmt = select(OrganisationRow)
    if not is_platform_admin(principal):
        if principal.user_id is not None:
            stmt = stmt.join(MembershipRow).where(MembershipRow.user_id == principal.user_id)
        else:
            stmt = stmt.where(OrganisationRow.id == principal.organisation_id)
    return page_of(
        uow.session,
        stmt,
        order_by=(OrganisationRow.name, OrganisationRow.id),
        offset=offset,
        limit=limit,
        public=_organisation_public,
    )


# Members


def _member_public(row: MembershipRow) -> MemberPublic:
    return MemberPublic(
        id=row.id,
        user_id=row.user_id,
        organisation_id=row.organisation_id,
        email=row.user.email,
        display_name=row.user.display_name,
        role=Role(row.role),
    )


def add_member(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    data: MemberCreate,
    system: bool = False,
) -> MemberPublic:
    """Add a user to an organisation, creating the user if the e-mail is new.

    An existing account joins another organisation only through the platform itself
    (``system=True``: the operator's CLI), never at another organisation admin's request.
    """
    session = uow.session
    if not system:
        authorize(
            session,
            principal,
            Action.ADMIN,
            owner_id=organisation_id,
            object_kind="membership",
        )
        require_no_escalation(principal, role=data.role)
    if session.get(OrganisationRow, organisation_id) is None:
        raise NotFoundError(f"No organisation {organisation_id} here.")
    email = data.email.lower()
    user = session.scalar(select(UserRow).where(UserRow.email == email))
    if user is None:
        if data.password is None:
            raise InvalidInputError("password: a new user needs a password.")
        user = UserRow(
            email=email, display_name=data.display_name, password_hash=hash_password(data.password)
        )
        session.add(user)
        session.flush()
        ledger.append(
            session,
            actor=actor_of(principal),
            organisation_id=organisation_id,
            action="user.created",
            object_kind="user",
            object_id=str(user.id),
        )
    elif session.scalar(
        select(MembershipRow.id).where(
            MembershipRow.user_id == user.id, MembershipRow.organisation_id == organisation_id
        )
    ):
        raise ConflictError(f"email: {email} is a member of this organisation already.")
    elif not system:
        # Joining another organisation is the person's own decision: an admin cannot pull an
        # existing account (and with it the person's name) into their organisation.
        raise ConflictError(
            f"email: {email} already has an account. The platform operator can add it "
            "(pcfhub users add) once the person agrees."
        )
    membership = MembershipRow(user=user, organisation_id=organisation_id, role=data.role.value)
    session.add(membership)
    session.flush()
    ledger.append(
        session,
        actor=actor_of(principal),
        organisation_id=organisation_id,
        action="membership.created",
        object_kind="membership",
        object_id=str(membership.id),
    )
    return _member_public(membership)


def list_members(
    uow: UnitOfWork,
    *,
    principal: Principal | None,
    organisation_id: uuid.UUID,
    offset: int = 0,
    limit: int = 50,
) -> Page[MemberPublic]:
    authorize(
        uow.session, principal, Action.READ, owner_id=organisation_id, object_kind="membership"
    )
    return page_of(
        uow.session,
        select(MembershipRow)
        .join(UserRow)
        .where(MembershipRow.organisation_id == organisation_id)
        .options(contains_eager(MembershipRow.user)),
        order_by=(UserRow.email, MembershipRow.id),
        offset=offset,
        limit=limit,
        public=_member_public,
    )


def remove_member(
    uow: UnitOfWork, *, principal: Principal | None, membership_id: uuid.UUID
) -> None:
    session = uow.session
    row = session.get(MembershipRow, membership_id)
    owner = row.organisation_id if row else uuid.uuid4()  # unknown id: authorise as a stranger
    authorize(
        session,
        principal,
        Action.ADMIN,
        owner_id=owner,
        object_kind="membership",
        object_id=str(membership_id),
    )
    if row is None:
        raise NotFoundError(f"No membership {membership_id} here.")
    if row.role == Role.ADMIN.value and _admin_count(session, row.organisation_id) <= 1:
        raise ConflictError("The last admin of an organisation cannot be removed.")
    session.delete(row)
    ledger.append(
        session,
        actor=actor_of(principal),
        organisation_id=row.organisation_id,
        action="membership.deleted",
        object_kind="membership",
        object_id=str(membership_id),
    )


def _admin_count(session: Session, organisation_id: uuid.UUID) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(MembershipRow)
            .where(
                MembershipRow.organisation_id == organisation_id,
                MembershipRow.role == Role.ADMIN.value,
            )
        )
        or 0
    )


def organisation_counts(uow: UnitOfWork, *, principal: Principal | None) -> dict[str, int]:
    """How many organisations of each kind use the platform: an aggregate for the regulator
    and the operator, which names no organisation."""
    principal = require_principal(principal)
    if principal.organisation_kind not in (
        OrganisationKind.REGULATOR,
        OrganisationKind.PLATFORM_OPERATOR,
    ):
        raise PermissionDeniedError("Only regulators and the platform operator see these counts.")
    rows = uow.session.execute(
        select(OrganisationRow.kind, func.count()).group_by(OrganisationRow.kind)
    )
    counts = {kind.value: 0 for kind in OrganisationKind}
    counts.update({kind: count for kind, count in rows})
    return counts
