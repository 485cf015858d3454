"""Report pages: preview a result's report in either language, issue it, see the issued
report and its proof, list reports, verify a document without signing in; isolation."""

from __future__ import annotations

import uuid

import pytest

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.accounting.builders import FACTORS
from tests.factors.builders import acting, publish
from tests.platform.conftest import csrf_from, make_client
from tests.reports.builders import study_model
from tests.web.conftest import BrowserOf

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HTML = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def result_id(platform: Platform, demo: dict[str, DemoSignIn]) -> uuid.UUID:
    owner = acting(demo["cq-laptop"])
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
        saved = accounting.save_model(
            uow, principal=owner, model=ProductModel.model_validate(study_model())
        )
        stored = accounting.calculate(uow, principal=owner, model_id=saved.model_id, iterations=100)
        uow.commit()
    return stored.id


def test_preview_issue_and_verify_a_report_in_the_browser_pages(
    platform: Platform, browser_of: BrowserOf, result_id: uuid.UUID
) -> None:
    owner = browser_of("cq-laptop")
    result_page = owner.get(f"/results/{result_id}", headers=HTML)
    assert f'href="/results/{result_id}/report"' in result_page.text  # the Report button
    assert 'id="sensitivity-table"' in result_page.text  # sensitivity on the result page
    zh = owner.get(f"/results/{result_id}/report?language=zh", headers=HTML)
    assert zh.status_code == 200, zh.text
    assert "产品碳足迹研究报告" in zh.text
    assert "预览——未签发" in zh.text
    assert 'id="chart-stages"' in zh.text
    en = owner.get(f"/results/{result_id}/report?language=en", headers=HTML)
    assert "Product carbon footprint study report" in en.text
    assert owner.get(f"/results/{result_id}/report?language=fr", headers=HTML).status_code == 422

    issued = owner.post(
        f"/results/{result_id}/report",
        data={"language": "en", "purpose": "For a green loan", "csrf_token": csrf_from(en.text)},
        headers=HTML,
        follow_redirects=False,
    )
    assert issued.status_code == 303, issued.text
    page = owner.get(issued.headers["location"], headers=HTML)
    assert 'id="pdf-sha256"' in page.text
    report_id = issued.headers["location"].rsplit("/", 1)[-1]
    pdf = owner.get(f"/api/v1/reports/{report_id}/pdf")  # the download link, with the cookie
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert report_id in owner.get("/reports", headers=HTML).text

    # Anyone verifies the document without signing in; a changed one is not found.
    public = make_client(platform)
    form = public.get("/reports/verify", headers=HTML)
    assert form.status_code == 200
    token = csrf_from(form.text)
    ok = public.post(
        "/reports/verify",
        data={"csrf_token": token},
        files={"file": ("r.pdf", pdf.content, "application/pdf")},
        headers=HTML,
    )
    assert ok.status_code == 200, ok.text
    assert 'id="verdict"' in ok.text
    assert report_id in ok.text
    changed = public.post(
        "/reports/verify",
        data={"csrf_token": token},
        files={"file": ("r.pdf", pdf.content + b"%", "application/pdf")},
        headers=HTML,
    )
    assert changed.status_code == 404

    # Another organisation can neither preview nor open it.
    other = browser_of("cq-battery")
    assert other.get(f"/results/{result_id}/report", headers=HTML).status_code == 404
    assert other.get(f"/reports/{report_id}", headers=HTML).status_code == 404
    assert report_id not in other.get("/reports", headers=HTML).text


def test_issuing_needs_the_page_token(browser_of: BrowserOf, result_id: uuid.UUID) -> None:
    owner = browser_of("cq-laptop")
    forged = owner.post(f"/results/{result_id}/report", data={"csrf_token": "forged"}, headers=HTML)
    assert forged.status_code == 403
    assert "report" not in owner.get("/reports", headers=HTML).text.split('id="reports"')[1][:0]
