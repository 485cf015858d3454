"""Evidence files for factor versions: who adds and reads them, what is refused, the ledger."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import update

from pcfhub.errors import ConflictError, InvalidInputError, NotFoundError, PermissionDeniedError
from pcfhub.factors import evidence, service
from pcfhub.factors.store import FactorEvidenceRow
from pcfhub.ledger.audit import audit_log
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Role
from tests.factors.builders import acting, publish, record
from tests.platform.conftest import API, make_client, token_headers

PDF = b"%PDF-1.7\n% an EPD, page 12, table 3\n%%EOF\n"


def test_the_contributor_adds_evidence_and_the_reviewer_reads_it(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=contributor, data=record())
        added = evidence.add_evidence(
            uow, principal=contributor, version_id=draft.id, filename="C:\\docs\\EPD 2025.pdf",
            content=PDF,
        )  # fmt: skip
        uow.commit()
    assert added.filename == "EPD 2025.pdf"  # the path is dropped
    assert added.sha256 == hashlib.sha256(PDF).hexdigest()
    assert added.media_type == "application/pdf"
    with platform.unit_of_work(read_only=True) as uow:
        listed = evidence.list_evidence(uow, principal=reviewer, version_id=draft.id)
        found, content = evidence.evidence_file(uow, principal=reviewer, evidence_id=added.id)
        viewer = acting(demo["cq-battery"], Role.VIEWER)
        assert evidence.list_evidence(uow, principal=viewer, version_id=draft.id) == listed
        with pytest.raises(NotFoundError):
            evidence.list_evidence(uow, principal=acting(demo["cq-laptop"]), version_id=draft.id)
        with pytest.raises(NotFoundError):
            evidence.evidence_file(uow, principal=acting(demo["cq-laptop"]), evidence_id=added.id)
        report = audit_log(uow.session)
    assert [e.id for e in listed] == [added.id]
    assert (found, content) == (added, PDF)
    assert report.ok, report.problems


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("epd.pdf", b"<html>not a pdf</html>", "its bytes say otherwise"),
        ("macro.xlsm", b"PK\x03\x04", "not an accepted kind"),
        ("notes.txt", b"\xff\xfe\x00bad", "not UTF-8"),
        ("empty.csv", b"", "is empty"),
        ("big.txt", b"x" * (evidence.MAX_EVIDENCE_BYTES + 1), "at most"),
        ("...", b"text", "give the file a name"),
    ],
)
def test_bad_files_are_refused_with_the_reason(
    platform: Platform, demo: dict[str, DemoSignIn], name: str, content: bytes, message: str
) -> None:
    contributor = acting(demo["cq-battery"])
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=contributor, data=record())
        with pytest.raises(InvalidInputError, match=message):
            evidence.add_evidence(
                uow, principal=contributor, version_id=draft.id, filename=name, content=content
            )


def test_evidence_goes_with_drafts_and_submissions_of_ones_own_only(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        published = publish(uow, contributor, reviewer, record(key="cq.published"))
        draft = service.create_draft(uow, principal=contributor, data=record(key="cq.draft"))
        uow.commit()
    with platform.unit_of_work() as uow:
        with pytest.raises(ConflictError, match="published"):
            evidence.add_evidence(
                uow, principal=contributor, version_id=published, filename="a.pdf", content=PDF
            )
        with pytest.raises(PermissionDeniedError):
            evidence.add_evidence(
                uow, principal=acting(demo["cq-battery"], Role.VIEWER), version_id=draft.id,
                filename="a.pdf", content=PDF,
            )  # fmt: skip
        with pytest.raises((NotFoundError, PermissionDeniedError)):
            evidence.add_evidence(
                uow, principal=acting(demo["cq-laptop"]), version_id=draft.id,
                filename="a.pdf", content=PDF,
            )  # fmt: skip


def test_a_swapped_file_is_named_by_the_audit(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    contributor = acting(demo["cq-battery"])
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=contributor, data=record())
        added = evidence.add_evidence(
            uow, principal=contributor, version_id=draft.id, filename="epd.pdf", content=PDF
        )
        uow.commit()
    with platform.engine.begin() as connection:  # a file replaced behind the ledger's back
        connection.execute(
            update(FactorEvidenceRow.__table__).values(content=b"%PDF-1.7\n% a better number\n")
        )
    with platform.unit_of_work(read_only=True) as uow:
        report = audit_log(uow.session)
    assert report.first_problem is not None
    assert f"factor_evidence {added.id}" in report.first_problem.message


def test_evidence_over_http(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=acting(demo["cq-battery"]), data=record())
        uow.commit()
    client = make_client(platform)
    maker = token_headers(platform, client, demo["cq-battery"].organisation_id)
    reviewer = token_headers(platform, client, demo["operator"].organisation_id)
    other = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    url = f"{API}/factors/versions/{draft.id}/evidence"
    created = client.post(url, files={"file": ("表3 EPD.pdf", PDF)}, headers=maker)
    assert created.status_code == 201, created.text
    refused = client.post(url, files={"file": ("x.pdf", b"nope")}, headers=maker)
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("file: ")
    assert [e["filename"] for e in client.get(url, headers=reviewer).json()] == ["表3 EPD.pdf"]
    assert client.get(url, headers=other).status_code == 404
    download = client.get(f"{API}/factors/evidence/{created.json()['id']}", headers=reviewer)
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    policies = [p.strip() for p in download.headers["content-security-policy"].split(",")]
    assert "sandbox" in policies  # never rendered as a page of the platform's origin
    hidden = client.get(f"{API}/factors/evidence/{created.json()['id']}", headers=other)
    assert hidden.status_code == 404
