"""The demo builder: one organisation of every kind (two enterprises), an admin each, two grants."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from pcfhub.errors import AuthenticationError
from pcfhub.ledger import service as ledger
from pcfhub.ledger.audit import audit_log
from pcfhub.platform import auth
from pcfhub.platform.authz import authorize
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from pcfhub.platform.model import Action, OrganisationKind, Principal, Role
from pcfhub.platform.store import GrantRow, MembershipRow, OrganisationRow, UserRow

POLICY = auth.SignInPolicy(
    max_failures=5, lockout=timedelta(minutes=15), session_max_age=timedelta(hours=1)
)


def sign_in(platform: Platform, email: str, password: str) -> str:
    with platform.unit_of_work() as uow:
        token = auth.sign_in(uow, email=email, password=password, language="zh", policy=POLICY)
        uow.commit()
    return token


def counts(platform: Platform) -> dict[str, int]:
    with platform.unit_of_work() as uow:
        return {
            table.__tablename__: uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (OrganisationRow, UserRow, MembershipRow, GrantRow)
        }


@pytest.fixture
def demo(platform: Platform) -> list[DemoSignIn]:
    return seed_demo(platform)


def test_one_organisation_of_each_kind_with_an_admin(
    platform: Platform, demo: list[DemoSignIn]
) -> None:
    kinds = Counter(s.kind for s in demo)
    # External organisations stand for other PACT host systems' companies: nobody signs in.
    assert set(kinds) == set(OrganisationKind) - {OrganisationKind.EXTERNAL}
    assert len(kinds) == 7
    assert kinds[OrganisationKind.ENTERPRISE] == 3
    assert len(demo) == 9
    assert counts(platform) == {"organisations": 9, "users": 9, "memberships": 9, "grants": 2}
    assert len({s.email for s in demo}) == 9
    for s in demo:
        token = sign_in(platform, s.email, s.password)
        with platform.unit_of_work() as uow:
            user = auth.session_user(uow, token=token, secret=platform.secret)
        assert user is not None
        assert user.user_id == s.user_id
        assert [(m.organisation_id, m.role) for m in user.memberships] == [
            (s.organisation_id, Role.ADMIN)
        ]
        assert user.active is not None
        assert user.active.organisation_kind == s.kind


def test_the_battery_maker_lets_the_verifier_read_its_studies(
    platform: Platform, demo: list[DemoSignIn]
) -> None:
    by_slug = {s.organisation: s for s in demo}
    battery, verifier = by_slug["cq-battery"], by_slug["verifier"]
    reader = Principal(verifier.organisation_id, verifier.kind, Role.ADMIN, verifier.user_id)
    with platform.unit_of_work() as uow:
        authorize(
            uow.session,
            reader,
            Action.READ,
            owner_id=battery.organisation_id,
            object_kind="study",
            object_id="any study",
        )


def test_running_it_again_resets_passwords_and_duplicates_nothing(
    platform: Platform, demo: list[DemoSignIn]
) -> None:
    again = seed_demo(platform)
    assert counts(platform) == {"organisations": 9, "users": 9, "memberships": 9, "grants": 2}
    first = {s.email: s for s in demo}
    for s in again:
        old = first[s.email]
        assert (s.organisation_id, s.user_id) == (old.organisation_id, old.user_id)
        assert s.password != old.password
    for s in (again[0], again[-1]):
        with pytest.raises(AuthenticationError):
            sign_in(platform, s.email, first[s.email].password)
        assert sign_in(platform, s.email, s.password)


def test_the_demo_ledger_verifies(platform: Platform, demo: list[DemoSignIn]) -> None:
    seed_demo(platform)
    with platform.unit_of_work() as uow:
        report = audit_log(uow.session)
        assert report.ok, report.problems
        # first run: 9 organisations + 9 users + 9 memberships + 2 grants; second: 9 resets
        assert report.entries == 9 + 9 + 9 + 2 + 9 == ledger.size(uow.session)
        assert report.tree_heads == 2
        head = ledger.latest_tree_head(uow.session)
        assert head is not None
        assert head.tree_size == 38
