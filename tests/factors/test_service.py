"""The factor lifecycle on both databases: draft, submit, review, supersede, withdraw."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pcfhub.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.factors import access, queries, reference, service, versions
from pcfhub.factors.model import FactorStatus
from pcfhub.factors.schemas import ReviewDecision
from pcfhub.factors.store import FactorVersionRow
from pcfhub.factors.tabular import read_csv
from pcfhub.ledger import service as ledger
from pcfhub.ledger.audit import audit_log
from pcfhub.platform import grants
from pcfhub.platform.context import Platform
from pcfhub.platform.db import utcnow
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.schemas import GrantCreate
from tests.factors.builders import ALL_CONFIRMED, PROPRIETARY, acting, publish, record


def test_a_factor_goes_from_draft_to_published_and_is_superseded_by_its_next_version(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        first = service.create_draft(uow, principal=contributor, data=record())
        service.submit(uow, principal=contributor, version_id=first.id)
        published = service.review(
            uow,
            principal=reviewer,
            version_id=first.id,
            decision=ReviewDecision(publish=True, checklist=ALL_CONFIRMED),
        )
        uow.commit()
    assert (published.version, published.status) == (1, FactorStatus.PUBLISHED)
    with platform.unit_of_work() as uow:
        second = service.create_draft(uow, principal=contributor, data=record(value=1.9))
        service.submit(uow, principal=contributor, version_id=second.id)
        service.review(
            uow,
            principal=reviewer,
            version_id=second.id,
            decision=ReviewDecision(publish=True, checklist=ALL_CONFIRMED),
        )
        uow.commit()
    with platform.unit_of_work() as uow:
        old = queries.get_version(uow, principal=contributor, version_id=first.id)
        new = queries.get_version(uow, principal=acting(demo["cq-laptop"]), version_id=second.id)
        actions = [e.event["action"] for e in ledger.list_entries(
            uow.session, organisation_id=contributor.organisation_id, limit=200)[0]]  # fmt: skip
        report = audit_log(uow.session)
    assert (old.status, old.data.value, old.ended_at is not None) == (
        FactorStatus.SUPERSEDED,
        2.1,
        True,
    )  # the old version keeps its value: results that used it still point to it
    assert (new.version, new.status, new.data.value) == (2, FactorStatus.PUBLISHED, 1.9)
    for step in ("factor.drafted", "factor.submitted", "factor.review.published",
                 "factor.published", "factor.superseded"):  # fmt: skip
        assert step in actions
    assert report.ok, report.problems


def test_review_needs_a_reviewer_the_whole_checklist_or_reasons(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=contributor, data=record())
        with pytest.raises(ConflictError, match="is draft"):
            service.review(
                uow,
                principal=reviewer,
                version_id=draft.id,
                decision=ReviewDecision(publish=True, checklist=ALL_CONFIRMED),
            )
        service.submit(uow, principal=contributor, version_id=draft.id)
        with pytest.raises(PermissionDeniedError, match="reviewers"):
            service.review(
                uow,
                principal=contributor,  # contributors do not review their own factors
                version_id=draft.id,
                decision=ReviewDecision(publish=True, checklist=ALL_CONFIRMED),
            )
        with pytest.raises(PermissionDeniedError):
            service.review(
                uow,
                principal=acting(demo["operator"], Role.VIEWER),
                version_id=draft.id,
                decision=ReviewDecision(publish=True, checklist=ALL_CONFIRMED),
            )
        partial = dict(ALL_CONFIRMED, value_matches_source=False)
        with pytest.raises(InvalidInputError, match="value_matches_source"):
            service.review(
                uow,
                principal=reviewer,
                version_id=draft.id,
                decision=ReviewDecision(publish=True, checklist=partial),
            )
        with pytest.raises(InvalidInputError, match="reasons"):
            service.review(
                uow, principal=reviewer, version_id=draft.id, decision=ReviewDecision(publish=False)
            )
        rejected = service.review(
            uow,
            principal=reviewer,
            version_id=draft.id,
            decision=ReviewDecision(publish=False, reasons="The EPD gives 2.3, not 2.1."),
        )
        uow.commit()
    assert rejected.status == FactorStatus.REJECTED


def test_drafts_are_private_to_their_contributor_and_the_reviewers(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor = acting(demo["cq-battery"])
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=contributor, data=record())
        uow.commit()
    with platform.unit_of_work() as uow:
        assert queries.get_version(uow, principal=contributor, version_id=draft.id).id == draft.id
        assert queries.get_version(uow, principal=acting(demo["operator"]), version_id=draft.id)
        with pytest.raises(NotFoundError):
            queries.get_version(uow, principal=acting(demo["cq-laptop"]), version_id=draft.id)
        with pytest.raises(NotFoundError):
            service.submit(uow, principal=acting(demo["cq-laptop"]), version_id=draft.id)
        with pytest.raises(NotFoundError):
            queries.get_version(uow, principal=contributor, version_id=uuid.uuid4())


def test_another_contributor_cannot_add_versions_to_a_lineage(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    with platform.unit_of_work() as uow:
        service.create_draft(uow, principal=acting(demo["cq-battery"]), data=record())
        with pytest.raises(ConflictError, match="another contributor"):
            service.create_draft(uow, principal=acting(demo["cq-laptop"]), data=record())


def test_withdrawing_keeps_the_version_and_records_it(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor = acting(demo["cq-battery"])
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=contributor, data=record())
        withdrawn = service.withdraw(uow, principal=contributor, version_id=draft.id)
        with pytest.raises(ConflictError):
            service.withdraw(uow, principal=contributor, version_id=draft.id)
        uow.commit()
    assert withdrawn.status == FactorStatus.WITHDRAWN
    assert withdrawn.data == record()


def test_a_failed_review_writes_nothing(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=contributor, data=record())
        service.submit(uow, principal=contributor, version_id=draft.id)
        uow.commit()
    with platform.unit_of_work() as uow:
        before = ledger.size(uow.session)

    def review_then_crash() -> None:
        with platform.unit_of_work() as uow:
            service.review(
                uow,
                principal=reviewer,
                version_id=draft.id,
                decision=ReviewDecision(publish=True, checklist=ALL_CONFIRMED),
            )
            raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        review_then_crash()
    with platform.unit_of_work() as uow:
        assert ledger.size(uow.session) == before
        still = queries.get_version(uow, principal=contributor, version_id=draft.id)
    assert still.status == FactorStatus.SUBMITTED


def test_reference_data_is_published_once_and_a_change_becomes_a_new_version(
    platform: Platform,
) -> None:
    shipped = [
        record(key="ref.a", value=1.0, source={"publisher": "IPCC", "document": "d", "year": 2006},
               licence={"identifier": "public-domain", "redistribution": "open"}),
        record(key="ref.b", value=2.0, source={"publisher": "IPCC", "document": "d", "year": 2006},
               licence={"identifier": "public-domain", "redistribution": "open"}),
    ]  # fmt: skip
    with platform.unit_of_work() as uow:
        first = reference.import_reference(uow, factors=shipped, file="test.csv")
        uow.commit()
    with platform.unit_of_work() as uow:
        again = reference.import_reference(uow, factors=shipped, file="test.csv")
        changed = reference.import_reference(
            uow, factors=[shipped[0].model_copy(update={"value": 1.5})], file="test.csv"
        )
        uow.commit()
    assert (first.published, first.unchanged) == (2, 0)
    assert (again.published, again.unchanged) == (0, 2)
    assert (changed.published, changed.superseded) == (1, 1)
    anyone = Principal(
        organisation_id=uuid.uuid4(),
        organisation_kind=OrganisationKind.BANK,
        role=Role.VIEWER,
    )
    with platform.unit_of_work() as uow:
        assert audit_log(uow.session).ok
        ids = uow.session.scalars(select(FactorVersionRow.id)).all()
        statuses = sorted(
            queries.get_version(uow, principal=anyone, version_id=i).status for i in ids
        )
    assert statuses == [FactorStatus.PUBLISHED, FactorStatus.PUBLISHED, FactorStatus.SUPERSEDED]


def test_a_factor_value_edited_behind_the_applications_back_is_named_by_the_audit(
    platform: Platform,
) -> None:
    shipped = record(key="ref.a", value=1.0, licence={"identifier": "public-domain",
                                                      "redistribution": "open"})  # fmt: skip
    with platform.unit_of_work() as uow:
        reference.import_reference(uow, factors=[shipped], file="test.csv")
        uow.commit()
    with platform.unit_of_work() as uow:
        row = uow.session.scalars(select(FactorVersionRow)).one()
        forged = dict(row.data, value=0.5)
        row_id = row.id
    with platform.engine.begin() as connection:
        connection.execute(
            update(FactorVersionRow.__table__)
            .where(FactorVersionRow.__table__.c.id == row_id)
            .values(data=forged)
        )
    with platform.unit_of_work() as uow:
        report = audit_log(uow.session)
    assert report.first_problem is not None
    assert f"factor_version {row_id}" in report.first_problem.message
    assert "has changed" in report.first_problem.message


def test_a_proprietary_factor_shows_its_values_only_to_licence_holders(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    customer, bank = acting(demo["cq-laptop"]), acting(demo["green-bank"])
    licensed = record(
        licence=PROPRIETARY,
        gases={"co2_fossil": 2.1},
        uncertainty={"distribution": "lognormal", "gsd": 1.2},
    )
    with platform.unit_of_work() as uow:
        version_id = publish(uow, contributor, reviewer, licensed)
        uow.commit()
    with platform.unit_of_work() as uow:
        listed = queries.get_version(uow, principal=customer, version_id=version_id)
        lineage_id = uow.session.get(FactorVersionRow, version_id).lineage_id
        grants.create_grant(
            uow,
            principal=contributor,
            data=GrantCreate(
                grantee="cq-laptop",
                object_kind="factor",
                object_id=str(lineage_id),
                purpose="Licence for the LFP cell factor",
                expires_at=utcnow() + timedelta(days=365),
            ),
        )
        uow.commit()
    with platform.unit_of_work() as uow:
        seen = queries.get_version(uow, principal=customer, version_id=version_id)
        unlicensed = queries.get_version(uow, principal=bank, version_id=version_id)
        own = queries.get_version(uow, principal=contributor, version_id=version_id)
    # Everyone sees the metadata: names, unit, source, licence terms…
    assert listed.values_withheld
    assert unlicensed.values_withheld
    assert listed.data.name_en == licensed.name_en
    assert listed.data.licence.identifier == "proprietary:cq-battery"
    dumped = listed.model_dump(mode="json")["data"]
    assert not {"value", "gases", "uncertainty"} & dumped.keys()
    # …the licence holder and the contributor see the values too.
    for full in (seen, own):
        assert not full.values_withheld
        assert (full.data.value, full.data.gases, full.data.uncertainty) == (
            licensed.value,
            licensed.gases,
            licensed.uncertainty,
        )


def test_a_reviewer_takes_a_submission_into_review_and_decides_there(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=contributor, data=record())
        service.submit(uow, principal=contributor, version_id=draft.id)
        with pytest.raises(PermissionDeniedError):
            service.start_review(uow, principal=contributor, version_id=draft.id)
        started = service.start_review(uow, principal=reviewer, version_id=draft.id)
        with pytest.raises(ConflictError):
            service.start_review(uow, principal=reviewer, version_id=draft.id)
        queue = queries.review_queue(uow, principal=reviewer)
        with pytest.raises(NotFoundError):  # still private to the contributor and reviewers
            queries.get_version(uow, principal=acting(demo["cq-laptop"]), version_id=draft.id)
        published = service.review(
            uow,
            principal=reviewer,
            version_id=draft.id,
            decision=ReviewDecision(publish=True, checklist=ALL_CONFIRMED),
        )
        actions = [e.event["action"] for e in ledger.list_entries(
            uow.session, organisation_id=contributor.organisation_id, limit=50)[0]]  # fmt: skip
        uow.commit()
    assert started.status == FactorStatus.IN_REVIEW
    assert [v.id for v in queue.data] == [draft.id]
    assert published.status == FactorStatus.PUBLISHED
    assert "factor.review_started" in actions


@pytest.mark.parametrize("key", ["cn.mee.electricity.grid.province.cq", "IPCC2006.fuel.coal"])
def test_reference_data_keys_are_kept_from_contributors(
    platform: Platform, demo: dict[str, DemoSignIn], key: str
) -> None:
    with platform.unit_of_work() as uow:
        with pytest.raises(InvalidInputError, match="lineage_key: .*kept for the platform's"):
            service.create_draft(uow, principal=acting(demo["cq-battery"]), data=record(key=key))
        assert reference.import_shipped_reference(uow)  # still publishes every shipped key
    shipped = [f.lineage_key for path in reference.reference_files() for f in read_csv(path)]
    assert all(k.lower().startswith(service.RESERVED_KEY_PREFIXES) for k in shipped)


def test_a_reviewer_does_not_review_a_version_they_wrote(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    author = acting(demo["operator"])
    other_reviewer = Principal(
        organisation_id=author.organisation_id, organisation_kind=author.organisation_kind,
        role=Role.EDITOR, user_id=uuid.uuid4(),
    )  # fmt: skip
    decision = ReviewDecision(publish=True, checklist=ALL_CONFIRMED)
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=author, data=record(key="operator.own"))
        service.submit(uow, principal=author, version_id=draft.id)
        with pytest.raises(PermissionDeniedError, match="wrote"):
            service.start_review(uow, principal=author, version_id=draft.id)
        with pytest.raises(PermissionDeniedError, match="wrote"):
            service.review(uow, principal=author, version_id=draft.id, decision=decision)
        published = service.review(
            uow, principal=other_reviewer, version_id=draft.id, decision=decision
        )
    assert published.status == FactorStatus.PUBLISHED


def test_an_older_version_cannot_supersede_a_newer_published_one(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    decision = ReviewDecision(publish=True, checklist=ALL_CONFIRMED)
    with platform.unit_of_work() as uow:
        first = service.create_draft(uow, principal=contributor, data=record())
        service.submit(uow, principal=contributor, version_id=first.id)
        second_id = publish(uow, contributor, reviewer, record(value=1.9))
        with pytest.raises(ConflictError, match="version 2 is published, newer than version 1"):
            service.review(uow, principal=reviewer, version_id=first.id, decision=decision)
        current = queries.get_version(uow, principal=contributor, version_id=second_id)
        older = queries.get_version(uow, principal=contributor, version_id=first.id)
        reviews = queries.reviews_of(uow, principal=contributor, version_id=first.id)
    assert current.status == FactorStatus.PUBLISHED
    assert (older.status, reviews) == (FactorStatus.SUBMITTED, [])  # nothing written


# What callers (web pages, accounting, LCI imports) import from `factors.service`, which kept
# every name when its access rules, version rows and reads moved to their own modules.
SERVICE_NAMES = {
    "CHECKLIST", "OPEN_FOR_EVIDENCE", "RESERVED_KEY_PREFIXES", "WITHDRAWABLE",
    "apply_version", "authorize_contributor", "authorize_own", "create_draft", "dimension_of",
    "get_version", "import_drafts", "is_reviewer", "list_contributions", "new_version",
    "public_version", "publish_version", "review", "review_queue", "reviews_of", "start_review",
    "submit", "values_visible", "version_row", "withdraw",
}  # fmt: skip


def test_the_service_module_still_offers_every_name_its_callers_import() -> None:
    assert set(service.__all__) == SERVICE_NAMES
    assert all(hasattr(service, name) for name in SERVICE_NAMES)
    assert service.get_version is queries.get_version
    assert service.values_visible is access.values_visible
    assert service.new_version is versions.new_version
