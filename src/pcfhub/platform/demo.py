"""Demo organisations of every kind, with one admin each: for `pcfhub demo` and the tests.

The organisations are fictitious and named as such. Passwords are random on every run and
printed once; nothing secret is stored in the repository. Running it again resets the demo
users' passwords and adds whatever is missing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from pcfhub.ledger import service as ledger
from pcfhub.platform import grants, service
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.model import SYSTEM_ACTOR, Action, OrganisationKind, Principal, Role
from pcfhub.platform.schemas import GrantCreate, MemberCreate, OrganisationCreate
from pcfhub.platform.security import hash_password, new_token
from pcfhub.platform.store import GrantRow, OrganisationRow, UserRow
from pcfhub.platform.uow import UnitOfWork

DEMO_DOMAIN = "demo.pcfhub.org"


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    kind: OrganisationKind


DEMO_ORGANISATIONS = (
    DemoOrganisation(
        "operator", "pcfhub 平台运营 Platform operator (demo)", OrganisationKind.PLATFORM_OPERATOR
    ),
    DemoOrganisation(
        "cq-battery",
        "重庆示例动力电池有限公司 CQ Demo Battery Co. (demo)",
        OrganisationKind.ENTERPRISE,
    ),
    DemoOrganisation(
        "cq-laptop",
        "重庆示例笔记本电脑有限公司 CQ Demo Laptop Co. (demo)",
        OrganisationKind.ENTERPRISE,
    ),
    DemoOrganisation(
        "cq-industry",
        "重庆示例制造集团有限公司 CQ Demo Manufacturing Group (demo)",
        OrganisationKind.ENTERPRISE,
    ),
    DemoOrganisation(
        "verifier", "示例核查机构 Demo Verification Ltd. (demo)", OrganisationKind.VERIFIER
    ),
    DemoOrganisation(
        "certifier",
        "示例认证机构 Demo Certification Body (demo)",
        OrganisationKind.CERTIFICATION_BODY,
    ),
    DemoOrganisation("green-bank", "示例绿色银行 Demo Green Bank (demo)", OrganisationKind.BANK),
    DemoOrganisation(
        "buyer", "示例公共采购人 Demo Public Buyer (demo)", OrganisationKind.PUBLIC_BUYER
    ),
    DemoOrganisation("regulator", "示例主管部门 Demo Regulator (demo)", OrganisationKind.REGULATOR),
)


@dataclass(frozen=True)
class DemoSignIn:
    organisation: str
    kind: OrganisationKind
    email: str
    password: str
    organisation_id: uuid.UUID
    user_id: uuid.UUID


def demo_email(slug: str) -> str:
    return f"{slug}@{DEMO_DOMAIN}"


def seed_demo(platform: Platform) -> list[DemoSignIn]:
    """Create (or refresh) the demo organisations, their admins and two example grants."""
    sign_ins: list[DemoSignIn] = []
    with platform.unit_of_work() as uow:
        session = uow.session
        for org in DEMO_ORGANISATIONS:
            row = session.scalar(select(OrganisationRow).where(OrganisationRow.slug == org.slug))
            if row is None:
                created = service.create_organisation(
                    uow,
                    principal=None,
                    data=OrganisationCreate(slug=org.slug, name=org.name, kind=org.kind),
                    system=True,
                )
                organisation_id = created.id
            else:
                organisation_id = row.id
            email = demo_email(org.slug)
            password = new_token(12)
            user = session.scalar(select(UserRow).where(UserRow.email == email))
            if user is None:
                member = service.add_member(
                    uow,
                    principal=None,
                    organisation_id=organisation_id,
                    data=MemberCreate(
                        email=email,
                        display_name=f"{org.slug} admin",
                        password=password,
                        role=Role.ADMIN,
                    ),
                    system=True,
                )
                user_id = member.user_id
            else:
                user.password_hash = hash_password(password)
                user.failed_sign_ins = 0
                user.locked_until = None
                ledger.append(
                    session,
                    actor=SYSTEM_ACTOR,
                    organisation_id=organisation_id,
                    action="user.password_reset",
                    object_kind="user",
                    object_id=str(user.id),
                )
                user_id = user.id
            sign_ins.append(
                DemoSignIn(org.slug, org.kind, email, password, organisation_id, user_id)
            )
        _demo_grants(uow, {s.organisation: s for s in sign_ins})
        uow.commit()
    return sign_ins


def _demo_grants(uow: UnitOfWork, by_slug: dict[str, DemoSignIn]) -> None:
    """The battery maker lets the verifier read its studies and the bank its results."""
    session = uow.session
    battery = by_slug["cq-battery"]
    if session.scalar(select(GrantRow.id).where(GrantRow.grantor_id == battery.organisation_id)):
        return
    principal = Principal(
        organisation_id=battery.organisation_id,
        organisation_kind=battery.kind,
        role=Role.ADMIN,
        user_id=battery.user_id,
    )
    expires = utcnow() + timedelta(days=90)
    for grantee, kind, purpose in (
        ("verifier", "study", "核查 Verification of the 2026 battery carbon footprint study"),
        ("green-bank", "result", "绿色信贷 Green loan: read verified footprint results"),
    ):
        grants.create_grant(
            uow,
            principal=principal,
            data=GrantCreate(
                grantee=grantee,
                object_kind=kind,
                actions=[Action.READ],
                purpose=purpose,
                expires_at=expires,
            ),
        )
