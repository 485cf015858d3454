"""The factor market's usage records and statements, on both databases."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from pcfhub.errors import ConflictError, InvalidInputError, NotFoundError
from pcfhub.factors import service, usage
from pcfhub.factors.schemas import UsageRecord
from pcfhub.factors.store import FactorUsageRow
from pcfhub.ledger import service as ledger
from pcfhub.ledger.audit import audit_log
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Role
from tests.factors.builders import acting, publish, record
from tests.platform.conftest import API, make_client, token_headers


@pytest.fixture
def two_factors(platform: Platform, demo: dict[str, DemoSignIn]) -> tuple[uuid.UUID, uuid.UUID]:
    """Two published factors of cq-battery: a cell (v1 superseded by v2) and a pack."""
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        cell_v1 = publish(uow, contributor, reviewer, record(key="cq-battery.cell"))
        pack = publish(uow, contributor, reviewer, record(key="cq-battery.pack"))
        uow.commit()
    return cell_v1, pack


def use(platform: Platform, who: DemoSignIn, result: str, *versions: uuid.UUID) -> None:
    with platform.unit_of_work() as uow:
        usage.record_usage(
            uow,
            principal=acting(who),
            organisation_id=who.organisation_id,
            usage=UsageRecord(result_kind="result", result_id=result, version_ids=list(versions)),
        )
        uow.commit()


TODAY = date.today()


def test_a_statement_counts_uses_and_organisations_per_version(
    platform: Platform, demo: dict[str, DemoSignIn], two_factors: tuple[uuid.UUID, uuid.UUID]
) -> None:
    cell, pack = two_factors
    use(platform, demo["cq-laptop"], "r1", cell, pack)
    use(platform, demo["cq-laptop"], "r2", cell)
    use(platform, demo["verifier"], "r3", cell)
    use(platform, demo["cq-battery"], "r4", pack)  # the contributor's own use
    with platform.unit_of_work(read_only=True) as uow:
        statement = usage.usage_statement(
            uow, principal=acting(demo["cq-battery"], Role.VIEWER), start=TODAY, end=TODAY
        )
        report = audit_log(uow.session)
    lines = {line.lineage_key: line for line in statement.lines}
    assert (lines["cq-battery.cell"].uses, lines["cq-battery.cell"].organisations) == (3, 2)
    assert (lines["cq-battery.pack"].uses, lines["cq-battery.pack"].organisations) == (2, 2)
    assert (lines["cq-battery.cell"].own_uses, lines["cq-battery.pack"].own_uses) == (0, 1)
    assert (statement.uses, statement.organisations) == (5, 3)
    assert report.ok, report.problems


def test_a_statement_covers_only_its_period_and_its_contributor(
    platform: Platform, demo: dict[str, DemoSignIn], two_factors: tuple[uuid.UUID, uuid.UUID]
) -> None:
    cell, _ = two_factors
    use(platform, demo["cq-laptop"], "old", cell)
    use(platform, demo["cq-laptop"], "new", cell)
    with platform.engine.begin() as connection:
        connection.execute(
            update(FactorUsageRow.__table__)
            .where(FactorUsageRow.__table__.c.result_id == "old")
            .values(used_at=utcnow() - timedelta(days=40))
        )
    with platform.unit_of_work(read_only=True) as uow:
        this_month = usage.usage_statement(
            uow, principal=acting(demo["cq-battery"]), start=TODAY - timedelta(days=7), end=TODAY
        )
        both = usage.usage_statement(
            uow, principal=acting(demo["cq-battery"]), start=TODAY - timedelta(days=60), end=TODAY
        )
        laptop_own = usage.usage_statement(
            uow, principal=acting(demo["cq-laptop"]), start=TODAY - timedelta(days=60), end=TODAY
        )
    assert [line.uses for line in this_month.lines] == [1]
    assert [line.uses for line in both.lines] == [2]
    assert laptop_own.lines == []
    assert laptop_own.uses == 0


def test_only_the_contributor_and_the_operator_read_a_statement(
    platform: Platform, demo: dict[str, DemoSignIn], two_factors: tuple[uuid.UUID, uuid.UUID]
) -> None:
    cell, _ = two_factors
    use(platform, demo["cq-laptop"], "r1", cell)
    battery = demo["cq-battery"].organisation_id
    with platform.unit_of_work(read_only=True) as uow:
        with pytest.raises(NotFoundError):
            usage.usage_statement(
                uow, principal=acting(demo["cq-laptop"]), start=TODAY, end=TODAY,
                contributor_id=battery,
            )  # fmt: skip
        seen = usage.usage_statement(
            uow, principal=acting(demo["operator"]), start=TODAY, end=TODAY,
            contributor_id=battery,
        )  # fmt: skip
        with pytest.raises(InvalidInputError, match="end"):
            usage.usage_statement(
                uow, principal=acting(demo["operator"]), start=TODAY, end=TODAY - timedelta(1)
            )
    assert seen.uses == 1


def test_a_result_records_its_uses_once_and_only_of_usable_versions(
    platform: Platform, demo: dict[str, DemoSignIn], two_factors: tuple[uuid.UUID, uuid.UUID]
) -> None:
    cell, _ = two_factors
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        cell_v2 = publish(uow, contributor, reviewer, record(key="cq-battery.cell", value=1.8))
        draft = service.create_draft(uow, principal=contributor, data=record(key="cq.draft"))
        uow.commit()
    use(platform, demo["cq-laptop"], "r1", cell, cell_v2)  # a pinned, superseded version counts
    with pytest.raises(ConflictError):
        use(platform, demo["cq-laptop"], "r1", cell)
    with pytest.raises(InvalidInputError, match="draft"):
        use(platform, demo["cq-laptop"], "r2", draft.id)
    with pytest.raises(InvalidInputError, match="no factor version"):
        use(platform, demo["cq-laptop"], "r3", uuid.uuid4())
    with platform.unit_of_work(read_only=True) as uow:
        statement = usage.usage_statement(uow, principal=contributor, start=TODAY, end=TODAY)
        entries, _ = ledger.list_entries(
            uow.session, organisation_id=demo["cq-laptop"].organisation_id, limit=500
        )
    assert [(line.version, line.uses) for line in statement.lines] == [(1, 1), (2, 1)]
    used = [e for e in entries if e.event["action"] == "factor.used"]
    assert [e.event["object"]["id"] for e in used] == ["result:r1"]  # failed ones wrote nothing


def test_an_edited_usage_row_is_named_by_the_audit(
    platform: Platform, demo: dict[str, DemoSignIn], two_factors: tuple[uuid.UUID, uuid.UUID]
) -> None:
    cell, pack = two_factors
    use(platform, demo["cq-laptop"], "r1", cell)
    with platform.engine.begin() as connection:  # inflate the statement behind the ledger's back
        connection.execute(update(FactorUsageRow.__table__).values(version_id=pack))
    with platform.unit_of_work(read_only=True) as uow:
        report = audit_log(uow.session)
    assert report.first_problem is not None
    assert "factor_usage result:r1" in report.first_problem.message


def test_the_statement_over_http(
    platform: Platform, demo: dict[str, DemoSignIn], two_factors: tuple[uuid.UUID, uuid.UUID]
) -> None:
    cell, _ = two_factors
    use(platform, demo["cq-laptop"], "r1", cell)
    client = make_client(platform)
    battery = token_headers(platform, client, demo["cq-battery"].organisation_id)
    laptop = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    period = {"start": TODAY.isoformat(), "end": TODAY.isoformat()}
    mine = client.get(f"{API}/factors/usage", params=period, headers=battery)
    theirs = client.get(
        f"{API}/factors/usage",
        params=period | {"contributor": str(demo["cq-battery"].organisation_id)},
        headers=laptop,
    )
    bad = client.get(f"{API}/factors/usage", params=period | {"start": "2026-13-01"},
                     headers=battery)  # fmt: skip
    last_day = client.get(
        f"{API}/factors/usage", params={"start": "9999-01-01", "end": "9999-12-31"},
        headers=battery,
    )  # fmt: skip
    too_long = client.get(
        f"{API}/factors/usage", params={"start": "0001-01-01", "end": "9999-12-31"},
        headers=battery,
    )  # fmt: skip
    assert mine.status_code == 200, mine.text
    assert mine.json()["lines"][0]["uses"] == 1
    assert theirs.status_code == 404
    assert bad.status_code == 422
    assert "start" in bad.json()["detail"]
    assert last_day.status_code == 422, last_day.text
    assert "before 9999-12-31" in last_day.json()["detail"]
    assert too_long.status_code == 422
    assert "five years" in too_long.json()["detail"]
