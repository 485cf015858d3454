"""Licences on proprietary factors: only the contributor's own, current grants open the values."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import update

from pcfhub.errors import InvalidInputError
from pcfhub.factors import licences, queries
from pcfhub.factors.store import FactorVersionRow
from pcfhub.platform import grants
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal
from pcfhub.platform.schemas import GrantCreate
from pcfhub.platform.store import GrantRow
from tests.factors.builders import PROPRIETARY, acting, publish, record
from tests.platform.conftest import API, make_client, token_headers

SECRET = record(key="acme.cell.secret", licence=PROPRIETARY, gases={"co2_fossil": 2.1})


@pytest.fixture
def secret(platform: Platform, demo: dict[str, DemoSignIn]) -> tuple[uuid.UUID, uuid.UUID]:
    """A published proprietary factor of cq-battery: (version id, lineage id)."""
    with platform.unit_of_work() as uow:
        version_id = publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), SECRET)
        lineage_id = uow.session.get(FactorVersionRow, version_id).lineage_id
        uow.commit()
    return version_id, lineage_id


def seen_by(platform: Platform, principal: Principal, version_id: uuid.UUID) -> bool:
    """Whether ``principal`` sees the values of the version."""
    with platform.unit_of_work(read_only=True) as uow:
        version = queries.get_version(uow, principal=principal, version_id=version_id)
    return not version.values_withheld


def licence(
    platform: Platform, grantor: Principal, lineage_id: uuid.UUID | None, days: int = 30
) -> uuid.UUID:
    with platform.unit_of_work() as uow:
        granted = grants.create_grant(
            uow,
            principal=grantor,
            data=GrantCreate(
                grantee="cq-laptop",
                object_kind=licences.FACTOR_GRANT,
                object_id=None if lineage_id is None else str(lineage_id),
                purpose="Supplier factor for our laptop footprint",
                expires_at=utcnow() + timedelta(days=days),
            ),
        )
        uow.commit()
    return granted.id


def test_a_licence_from_anyone_but_the_contributor_is_refused_and_ignored(
    platform: Platform, demo: dict[str, DemoSignIn], secret: tuple[uuid.UUID, uuid.UUID]
) -> None:
    version_id, lineage_id = secret
    customer, bank = acting(demo["cq-laptop"]), acting(demo["green-bank"])
    with pytest.raises(InvalidInputError, match="is not your organisation's"):
        licence(platform, bank, lineage_id)
    # A grant that got past the check (written by hand) still opens nothing.
    with platform.unit_of_work() as uow:
        uow.session.add(
            GrantRow(
                grantor_id=bank.organisation_id, grantee_id=customer.organisation_id,
                object_kind="factor", object_id=str(lineage_id), actions=["read"],
                purpose="not theirs to give", created_by=bank.user_id,
                expires_at=utcnow() + timedelta(days=30),
            )
        )  # fmt: skip
        uow.commit()
    assert not seen_by(platform, customer, version_id)
    with pytest.raises(InvalidInputError, match="is not your organisation's"):
        licence(platform, acting(demo["cq-battery"]), uuid.uuid4())  # no such lineage


def test_a_revoked_or_expired_licence_hides_the_values_again(
    platform: Platform, demo: dict[str, DemoSignIn], secret: tuple[uuid.UUID, uuid.UUID]
) -> None:
    version_id, lineage_id = secret
    contributor, customer = acting(demo["cq-battery"]), acting(demo["cq-laptop"])
    first = licence(platform, contributor, lineage_id)
    assert seen_by(platform, customer, version_id)
    with platform.unit_of_work() as uow:
        grants.revoke_grant(uow, principal=contributor, grant_id=first)
        uow.commit()
    assert not seen_by(platform, customer, version_id)
    second = licence(platform, contributor, lineage_id)
    assert seen_by(platform, customer, version_id)
    with platform.unit_of_work() as uow:
        uow.session.execute(
            update(GrantRow).where(GrantRow.id == second)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )  # fmt: skip
        uow.commit()
    assert not seen_by(platform, customer, version_id)


def test_a_licence_without_object_covers_every_factor_of_the_contributor(
    platform: Platform, demo: dict[str, DemoSignIn], secret: tuple[uuid.UUID, uuid.UUID]
) -> None:
    version_id, _ = secret
    contributor, customer = acting(demo["cq-battery"]), acting(demo["cq-laptop"])
    with platform.unit_of_work() as uow:
        other_id = publish(
            uow, contributor, acting(demo["operator"]), record(key="acme.pack", licence=PROPRIETARY)
        )
        uow.commit()
    licence(platform, contributor, None)
    assert seen_by(platform, customer, version_id)
    assert seen_by(platform, customer, other_id)
    assert not seen_by(platform, acting(demo["green-bank"]), other_id)


def test_withheld_values_come_without_the_record_hash(
    platform: Platform, demo: dict[str, DemoSignIn], secret: tuple[uuid.UUID, uuid.UUID]
) -> None:
    """The hash of the whole record would let anyone test guesses of the withheld values."""
    version_id, lineage_id = secret
    client = make_client(platform)
    laptop = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    before = client.get(f"{API}/factors/versions/{version_id}", headers=laptop).json()
    listed = client.get(f"{API}/factors", params={"q": "acme.cell.secret"}, headers=laptop)
    with platform.unit_of_work() as uow:
        licences.grant_licence(
            uow, principal=acting(demo["cq-battery"]), lineage_id=lineage_id,
            grantee="cq-laptop", purpose="supply contract", expires_at=utcnow() + timedelta(1),
        )  # fmt: skip
        uow.commit()
    after = client.get(f"{API}/factors/versions/{version_id}", headers=laptop).json()
    assert (before["values_withheld"], before["content_hash"]) == (True, None)
    assert [v["content_hash"] for v in listed.json()["data"]] == [None]
    assert after["values_withheld"] is False
    assert after["content_hash"].startswith("sha256:")
    assert after["data"]["value"] == SECRET.value
