"""Issuing, reading and verifying reports in a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from pcfhub.errors import NotFoundError, PermissionDeniedError
from pcfhub.ledger import service as ledger
from pcfhub.ledger.audit import audit_log
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal, Role
from pcfhub.reports import service
from pcfhub.reports.schemas import ReportCreate
from pcfhub.reports.store import ReportRow
from pcfhub.reports.verify import check
from tests.factors.builders import acting

URL = "https://pcf.example.cn"


def issue(platform: Platform, principal: Principal, result_id: uuid.UUID, language: str = "zh"):
    with platform.unit_of_work() as uow:
        issued = service.issue(
            uow,
            principal=principal,
            data=ReportCreate(result_id=result_id, language=language),
            base_url=URL,
        )
        uow.commit()
    return issued


def test_an_issued_report_is_stored_as_issued_ledgered_and_verifiable(
    platform: Platform, enterprise: Principal, stored_result: uuid.UUID
) -> None:
    issued = issue(platform, enterprise, stored_result)
    with platform.unit_of_work() as uow:
        html = service.document(uow, principal=enterprise, report_id=issued.id, format="html")
        pdf = service.document(uow, principal=enterprise, report_id=issued.id, format="pdf")
        assert hashlib.sha256(html.content).hexdigest() == issued.html_sha256
        assert hashlib.sha256(pdf.content).hexdigest() == issued.pdf_sha256
        assert pdf.content.startswith(b"%PDF")
        assert "碳足迹" in html.content.decode()
        assert str(issued.id) in html.content.decode()  # the report number is in the document
        entry = ledger.get_entry(uow.session, issued.ledger_index).event
        assert entry["action"] == "report.issued"
        assert entry["object"] == {"kind": "report", "id": str(issued.id)}
        assert audit_log(uow.session).ok
        listed = service.list_reports(uow, principal=enterprise, result_id=stored_result)
        assert [r.id for r in listed.data] == [issued.id]
        assert listed.count == 1
        for document in (html.content, pdf.content):
            proof = service.verify_document(uow, content=document)
            assert proof.verified
            assert proof.ledger_index == issued.ledger_index
            payload = proof.model_dump(mode="json")
            assert check(document, payload, proof.public_key_pem.encode()) == []
            # A changed document, or a proof for another document, fails the offline check.
            assert check(document + b" ", payload, proof.public_key_pem.encode())
        with pytest.raises(NotFoundError):
            service.verify_document(uow, content=html.content.replace(b"</body>", b"x</body>"))
    # Someone with the database changes the stored document and its recorded hash: the
    # ledger entry still hashes the report as issued, so the platform does not vouch for it.
    forged = html.content.replace("碳足迹".encode(), "碳足跡".encode())
    with platform.unit_of_work() as uow:
        row = uow.session.get(ReportRow, issued.id)
        assert row is not None
        row.html = forged
        row.html_sha256 = hashlib.sha256(forged).hexdigest()
        uow.commit()
    with platform.unit_of_work(read_only=True) as uow:
        tampered = service.verify_document(uow, content=forged)
        assert (tampered.signature_ok, tampered.inclusion_ok) == (True, True)
        assert tampered.content_ok is False
        assert tampered.verified is False


def test_a_preview_stores_nothing_and_says_it_is_a_preview(
    platform: Platform, enterprise: Principal, stored_result: uuid.UUID
) -> None:
    with platform.unit_of_work() as uow:
        size = ledger.size(uow.session)
        found = service.preview(
            uow,
            principal=enterprise,
            result_id=stored_result,
            language="en",
            format="html",
            base_url=URL,
        )
        assert "PREVIEW" in found.content.decode()
        assert uow.session.scalar(select(func.count()).select_from(ReportRow)) == 0
        assert ledger.size(uow.session) == size


def test_a_failed_issue_leaves_nothing_behind(
    platform: Platform,
    enterprise: Principal,
    stored_result: uuid.UUID,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(_html: str) -> bytes:
        raise RuntimeError("PDF engine fell over")

    monkeypatch.setattr(service, "render_pdf", broken)
    with platform.unit_of_work() as uow:
        size = ledger.size(uow.session)
    with pytest.raises(RuntimeError):
        issue(platform, enterprise, stored_result)
    with platform.unit_of_work() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ReportRow)) == 0
        assert ledger.size(uow.session) == size


def test_other_organisations_see_nothing_and_viewers_cannot_issue(
    platform: Platform,
    demo: dict[str, DemoSignIn],
    enterprise: Principal,
    stored_result: uuid.UUID,
) -> None:
    issued = issue(platform, enterprise, stored_result)
    other = acting(demo["cq-battery"])
    with platform.unit_of_work() as uow:
        with pytest.raises(NotFoundError):
            service.get_report(uow, principal=other, report_id=issued.id)
        with pytest.raises(NotFoundError):
            service.document(uow, principal=other, report_id=issued.id, format="pdf")
        with pytest.raises(NotFoundError):
            service.preview(
                uow, principal=other, result_id=stored_result, language="zh", format="html",
                base_url=URL,
            )  # fmt: skip
        assert service.list_reports(uow, principal=other).count == 0
    with pytest.raises(NotFoundError):
        issue(platform, other, stored_result)
    viewer = Principal(
        organisation_id=enterprise.organisation_id,
        organisation_kind=enterprise.organisation_kind,
        role=Role.VIEWER,
        user_id=enterprise.user_id,
    )
    with pytest.raises(PermissionDeniedError):
        issue(platform, viewer, stored_result)
    with platform.unit_of_work() as uow:  # the viewer still reads what was issued
        assert service.get_report(uow, principal=viewer, report_id=issued.id).id == issued.id
