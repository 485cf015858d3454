"""Publishing and reading the catalogue and its rules, on SQLite and PostgreSQL: numbering,
effective dates, the version in force on a day, search, permissions, atomic failure, ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from pcfhub.catalogue import queries, service
from pcfhub.catalogue.store import CatalogueVersionRow, RuleVersionRow
from pcfhub.errors import (
    AuthenticationError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from pcfhub.ledger.audit import audit_log
from pcfhub.ledger.store import LedgerEntryRow
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Role
from tests.catalogue.builders import acting, catalogue, day, next_catalogue, rule


def publish_basics(platform: Platform, who: DemoSignIn) -> None:
    """Rules t.battery (v1 from 2026-01-01, v2 from 2026-07-01) and t.farm; catalogue v1, v2."""
    principal = acting(who)
    with platform.unit_of_work() as uow:
        service.publish_rule(uow, principal=principal, data=rule())
        service.publish_rule(uow, principal=principal,
                             data=rule(effective_from="2026-07-01", unit="MWh"))  # fmt: skip
        service.publish_rule(uow, principal=principal, data=rule("t.farm", unit="kg"))
        service.publish_catalogue(uow, principal=principal, data=catalogue())
        service.publish_catalogue(uow, principal=principal, data=next_catalogue())
        uow.commit()


def test_versions_are_numbered_and_the_one_in_force_is_found_by_day(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    publish_basics(platform, demo["regulator"])
    reader = acting(demo["cq-battery"], Role.VIEWER)
    with platform.unit_of_work(read_only=True) as uow:
        assert service.rule_on(uow, "t.battery", day("2026-03-01")).version == 1
        in_july = service.rule_on(uow, "t.battery", day("2026-07-01"))
        assert (in_july.version, in_july.effective_from, in_july.data.unit) == (
            2,
            day("2026-07-01"),
            "MWh",
        )
        with pytest.raises(NotFoundError, match="no version in force on 2025-12-31"):
            service.rule_on(uow, "t.battery", day("2025-12-31"))
        with pytest.raises(NotFoundError):
            service.rule_on(uow, "t.unknown", day("2026-03-01"))
        assert service.catalogue_on(uow, day("2026-06-30")).version == 1
        assert service.catalogue_on(uow, day("2027-01-01")).version == 2
        listed = queries.list_catalogue_versions(uow, principal=reader)
        assert [(v.version, v.categories) for v in listed.data] == [(2, 3), (1, 3)]
        rules = queries.list_rules(uow, principal=reader, day=day("2026-03-01"))
        assert [(r.code, r.effective_version, r.latest_version) for r in rules.data] == [
            ("t.battery", 1, 2), ("t.farm", 1, 1),
        ]  # fmt: skip
        versions = queries.rule_versions(uow, principal=reader, code="t.battery")
        assert [v.version for v in versions] == [1, 2]
        changes = queries.rule_diff(uow, principal=reader, code="t.battery", from_version=1,
                                    to_version=2).changes  # fmt: skip
        assert [(c.field, c.before, c.after) for c in changes] == [
            ("effective_from", "2026-01-01", "2026-07-01"), ("unit", "kWh", "MWh"),
        ]  # fmt: skip
        diff = queries.catalogue_diff(uow, principal=reader, from_version=1, to_version=2)
        assert [c.code for c in diff.categories_added] == ["farm.orange"]


def test_a_rule_that_ended_is_not_in_force(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    with platform.unit_of_work() as uow:
        service.publish_rule(uow, principal=acting(demo["operator"]),
                             data=rule(effective_to="2026-12-31"))  # fmt: skip
        uow.commit()
    with platform.unit_of_work(read_only=True) as uow:
        found = service.rule_on(uow, "t.battery", day("2026-12-31"))
        assert found.effective_to == day("2026-12-31")
        with pytest.raises(NotFoundError, match="ended on 2026-12-31"):
            service.rule_on(uow, "t.battery", day("2027-01-01"))


def test_categories_are_found_by_code_hs_code_and_words(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    publish_basics(platform, demo["regulator"])
    reader = acting(demo["cq-laptop"])
    with platform.unit_of_work(read_only=True) as uow:

        def codes(**query: object) -> list[str]:
            page = queries.find_categories(uow, principal=reader, **query)
            return [hit.category.code for hit in page.data]

        assert codes(hs="85076000", day=day("2026-03-01")) == ["nev.battery"]
        assert codes(hs="8703", version=1) == ["nev.car"]
        assert codes(hs="8703", version=2) == []  # removed in version 2
        assert codes(q="TEA green", version=2) == ["farm.tea"]
        assert codes(q="农产品", version=2) == ["farm.tea", "farm.orange"]  # the sector's name
        assert codes(code="farm.orange", day=day("2026-08-01")) == ["farm.orange"]
        hit = queries.find_categories(uow, principal=reader, code="nev.battery", version=1).data[0]
        assert (hit.catalogue_version, hit.sector_code, hit.category.rule_code) == (
            1,
            "nev",
            "t.battery",
        )
        with pytest.raises(InvalidInputError, match="hs: 'abc'"):
            codes(hs="abc")
        with pytest.raises(NotFoundError):
            codes(version=9)


def test_only_regulators_and_the_operator_with_write_roles_publish(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    refused = [
        (acting(demo["cq-battery"]), PermissionDeniedError),  # an enterprise, even its admin
        (acting(demo["verifier"]), PermissionDeniedError),
        (acting(demo["regulator"], Role.VIEWER), PermissionDeniedError),  # a viewer
        (None, AuthenticationError),
    ]
    for principal, error in refused:
        with platform.unit_of_work() as uow:
            with pytest.raises(error):
                service.publish_rule(uow, principal=principal, data=rule())
            with pytest.raises(error):
                service.publish_catalogue(uow, principal=principal, data=catalogue())
    with platform.unit_of_work() as uow:
        service.publish_rule(uow, principal=acting(demo["regulator"], Role.EDITOR), data=rule())
        uow.commit()
    with platform.unit_of_work(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(RuleVersionRow)) == 1
        with pytest.raises(AuthenticationError):
            queries.list_rules(uow, principal=None)


def test_an_earlier_effective_date_an_identical_version_and_unknown_rules_are_refused(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    regulator = acting(demo["regulator"])
    with platform.unit_of_work() as uow:
        with pytest.raises(
            InvalidInputError, match=r"sectors\[0\].categories\[0\].rule_code: no rule 't.battery'"
        ):
            service.publish_catalogue(uow, principal=regulator, data=catalogue())
        service.publish_rule(uow, principal=regulator, data=rule())
        with pytest.raises(ConflictError, match="identical to version 1"):
            service.publish_rule(uow, principal=regulator, data=rule())
        with pytest.raises(ConflictError, match="effective_from: 2025-06-01 is before 2026-01-01"):
            service.publish_rule(uow, principal=regulator, data=rule(effective_from="2025-06-01"))
        with pytest.raises(InvalidInputError, match="unit: Unit 'vehicle' is not known"):
            service.publish_rule(uow, principal=regulator, data=rule("t.car", unit="vehicle"))
        service.publish_catalogue(uow, principal=regulator, data=catalogue())
        with pytest.raises(ConflictError, match="effective_from: 2025-12-31 is before"):
            service.publish_catalogue(uow, principal=regulator,
                                      data=catalogue(effective_from="2025-12-31"))  # fmt: skip
        same_day = catalogue(title_en="Corrected")  # same date: allowed, a correction
        assert service.publish_catalogue(uow, principal=regulator, data=same_day).version == 2
        uow.commit()
    with platform.unit_of_work(read_only=True) as uow:
        assert service.catalogue_on(uow, day("2026-01-01")).data.title_en == "Corrected"


def test_a_catalogue_with_an_unsourced_code_names_it_and_writes_nothing(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    record = catalogue().model_dump(mode="json")
    record["sectors"][1]["categories"][0]["hs_codes"].append("0902.20")
    bad = type(catalogue()).model_validate(record)
    with platform.unit_of_work() as uow:
        service.publish_rule(uow, principal=acting(demo["regulator"]), data=rule())
        with pytest.raises(InvalidInputError) as caught:
            service.publish_document(uow, principal=acting(demo["regulator"]), document=bad,
                                     file="v2.toml")  # fmt: skip
        assert str(caught.value).startswith(
            "v2.toml, sectors[1].categories[0].hs_codes[1]: the code names no source"
        )
    with platform.unit_of_work(read_only=True) as uow:  # the rule of the same unit is gone too
        assert uow.session.scalar(select(func.count()).select_from(RuleVersionRow)) == 0
        assert uow.session.scalar(select(func.count()).select_from(CatalogueVersionRow)) == 0
        assert uow.session.scalar(select(func.count()).select_from(LedgerEntryRow).where(
            LedgerEntryRow.action.in_(["rule.published", "catalogue.published"]))) == 0  # fmt: skip


def test_a_rules_file_publishes_changed_rules_only_or_nothing(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    regulator = acting(demo["regulator"])
    with platform.unit_of_work() as uow:
        service.publish_rule(uow, principal=regulator, data=rule())
        uow.commit()
    with platform.unit_of_work() as uow:
        result = service.publish_document(
            uow, principal=regulator, document=(rule(), rule("t.farm", unit="kg")), file="r.toml"
        )
        assert (result.kind, [r.code for r in result.rules], result.unchanged) == (
            "rules", ["t.farm"], ["t.battery"],
        )  # fmt: skip
        uow.commit()
    with platform.unit_of_work() as uow:
        bad = (rule("t.new", unit="kg"), rule("t.farm", unit="kg", effective_from="2020-01-01"))
        with pytest.raises(InvalidInputError, match=r"r.toml, rules\[1\].effective_from"):
            service.publish_document(uow, principal=regulator, document=bad, file="r.toml")
        with pytest.raises(ConflictError, match="every rule is identical"):
            service.publish_document(uow, principal=regulator, document=(rule(),), file="r.toml")
    with platform.unit_of_work(read_only=True) as uow:
        codes = uow.session.scalars(
            select(RuleVersionRow.rule_code).order_by(RuleVersionRow.rule_code)
        )
        assert list(codes) == ["t.battery", "t.farm"]  # t.new was not kept


def test_every_publication_is_a_ledger_entry_and_an_edited_document_is_caught(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    publish_basics(platform, demo["regulator"])
    with platform.unit_of_work(read_only=True) as uow:
        actions = uow.session.scalars(
            select(LedgerEntryRow.action)
            .where(LedgerEntryRow.organisation_id == demo["regulator"].organisation_id)
            .order_by(LedgerEntryRow.index)
        ).all()
        assert [a for a in actions if a.endswith(".published")] == [
            "rule.published", "rule.published", "rule.published", "catalogue.published",
            "catalogue.published",
        ]  # fmt: skip
        assert audit_log(uow.session).ok
    with platform.unit_of_work() as uow:  # someone edits a published category behind the ledger
        row = uow.session.scalar(
            select(CatalogueVersionRow).where(CatalogueVersionRow.version == 1)
        )
        data = dict(row.data)
        data["title_en"] = "Quietly edited"
        row.data = data
        uow.session.commit()
    with platform.unit_of_work(read_only=True) as uow:
        report = audit_log(uow.session)
        assert not report.ok
        assert "catalogue_version" in report.first_problem.message
