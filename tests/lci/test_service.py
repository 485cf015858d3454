"""Importing a release into the platform: all or nothing, published as factors, ledgered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pcfhub.errors import ConflictError, DataFileError, PermissionDeniedError
from pcfhub.factors import queries
from pcfhub.factors import service as factors
from pcfhub.factors.search import FactorQuery
from pcfhub.factors.store import FactorVersionRow
from pcfhub.lci import service
from pcfhub.lci.store import LciProductRow, LciReleaseRow
from pcfhub.ledger.audit import audit_log
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.factors.builders import acting
from tests.lci.builders import P_STEEL, STEEL, PackageBuilder
from tests.lci.test_jsonld import STEEL_PER_KG

OPTIONS = service.ImportOptions(
    database="Test LCI", release="R1", publisher="pcfhub tests", document="Illustrative package",
    year=2025, licence="CC0-1.0", redistribution="open",
)  # fmt: skip


def counts(platform: Platform) -> tuple[int, int, int]:
    with platform.unit_of_work(read_only=True) as uow:
        session = uow.session
        return (
            session.scalar(select(func.count()).select_from(LciReleaseRow)) or 0,
            session.scalar(select(func.count()).select_from(LciProductRow)) or 0,
            session.scalar(select(func.count()).select_from(FactorVersionRow)) or 0,
        )


def test_a_release_is_published_as_factors_that_point_back_to_their_process(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    package = PackageBuilder(v1=True).standard().write_zip(tmp_path / "test.zip")
    reviewer = acting(demo["operator"])
    with platform.unit_of_work() as uow:
        release = service.import_release(uow, principal=reviewer, path=package, options=OPTIONS)
        uow.commit()
    assert release.counts["products"] == 3
    assert release.counts["published"] == 3
    with platform.unit_of_work(read_only=True) as uow:
        products = service.list_products(uow, principal=reviewer, release_id=release.id).data
        steel = next(p for p in products if p.product_name == "Steel, at plant")
        version = factors.get_version(uow, principal=acting(demo["cq-laptop"]),
                                      version_id=steel.factor_version_id)  # fmt: skip
        found = queries.search_factors(uow, principal=acting(demo["cq-laptop"]),
                                       query=FactorQuery(q="steel plant"))  # fmt: skip
        report = audit_log(uow.session)
    assert steel.co2e == pytest.approx(STEEL_PER_KG, rel=1e-12)
    assert version.lineage_key == f"lci.test-lci.{P_STEEL}"
    assert version.data.value == pytest.approx(STEEL_PER_KG, rel=1e-12)
    assert version.data.derived_from.process_id == P_STEEL
    assert (version.data.derived_from.database, version.data.derived_from.release) == (
        "Test LCI", "R1",
    )  # fmt: skip
    assert version.data.licence.identifier == "CC0-1.0"
    assert version.lineage_key in {v.lineage_key for v in found.data}
    assert report.first_problem is None
    assert STEEL  # the builders' flow id of the product checked above


def test_a_newer_release_adds_versions_and_overwrites_nothing(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    reviewer = acting(demo["operator"])
    first = PackageBuilder(v1=False).standard().write_zip(tmp_path / "r1.zip")
    builder = PackageBuilder(v1=False).standard()
    steel = builder.documents[f"processes/{P_STEEL}.json"]
    steel["exchanges"][3]["amount"] = 1.5  # less CO2 in the newer release
    second = builder.write_zip(tmp_path / "r2.zip")
    with platform.unit_of_work() as uow:
        service.import_release(uow, principal=reviewer, path=first, options=OPTIONS)
        uow.commit()
    with platform.unit_of_work() as uow:
        newer = service.import_release(
            uow,
            principal=reviewer,
            path=second,
            options=OPTIONS.model_copy(update={"release": "R2"}),
        )
        uow.commit()
    # Every product's factor gets a version pointing to R2; R1's versions stay, superseded.
    assert (newer.counts["published"], newer.counts["unchanged"]) == (3, 0)
    with platform.unit_of_work(read_only=True) as uow:
        versions = uow.session.execute(
            select(FactorVersionRow.version, FactorVersionRow.status, FactorVersionRow.value)
            .join(FactorVersionRow.lineage)
            .where(FactorVersionRow.lineage.has(lineage_key=f"lci.test-lci.{P_STEEL}"))
            .order_by(FactorVersionRow.version)
        ).all()
    assert [(v, s) for v, s, _ in versions] == [(1, "superseded"), (2, "published")]
    assert versions[0].value == pytest.approx(STEEL_PER_KG, rel=1e-12)  # R1's value kept
    assert versions[1].value < versions[0].value  # less CO2 in R2


def test_imports_are_all_or_nothing_and_for_reviewers_only(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    package = PackageBuilder(v1=True).standard().write_folder(tmp_path / "p")
    reviewer = acting(demo["operator"])
    with platform.unit_of_work() as uow, pytest.raises(PermissionDeniedError):
        service.import_release(uow, principal=acting(demo["cq-battery"]), path=package,
                               options=OPTIONS)  # fmt: skip
    before = counts(platform)
    broken = package / "processes" / f"{P_STEEL}.json"
    document = json.loads(broken.read_text())
    document["exchanges"][2]["flow"]["@id"] = "missing-flow"
    broken.write_text(json.dumps(document))
    with platform.unit_of_work() as uow, pytest.raises(DataFileError, match="missing-flow"):
        service.import_release(uow, principal=reviewer, path=package, options=OPTIONS)
    assert counts(platform) == before
    good = PackageBuilder(v1=True).standard().write_zip(tmp_path / "good.zip")
    with platform.unit_of_work() as uow:
        service.import_release(uow, principal=reviewer, path=good, options=OPTIONS)
        uow.commit()
    after = counts(platform)
    with platform.unit_of_work() as uow, pytest.raises(ConflictError, match="imported already"):
        service.import_release(uow, principal=reviewer, path=good, options=OPTIONS)
    assert counts(platform) == after
