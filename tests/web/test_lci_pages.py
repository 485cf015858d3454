"""LCI pages in process: the import form for reviewers only, its errors, a job's page."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from pcfhub.platform.context import Platform
from tests.lci.builders import PackageBuilder
from tests.platform.conftest import csrf_from

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HTML = {"accept": "text/html"}
FORM = {"database": "Test LCI", "release": "R1", "publisher": "pcfhub tests", "year": "2025",
        "licence": "CC0-1.0"}  # fmt: skip


def test_only_reviewers_see_and_use_the_import_form(browser_of, tmp_path: Path) -> None:
    package = PackageBuilder(v1=True).standard().write_zip(tmp_path / "p.zip")
    enterprise = browser_of("cq-battery")
    page = enterprise.get("/lci", headers=HTML)
    assert page.status_code == 200
    assert 'id="import-form"' not in page.text
    refused = enterprise.post(
        "/lci/imports", data=FORM | {"csrf_token": csrf_from(page.text)}, headers=HTML,
        files={"file": ("p.zip", package.read_bytes(), "application/zip")},
    )  # fmt: skip
    assert refused.status_code == 403
    reviewer = browser_of("operator")
    page = reviewer.get("/lci", headers=HTML)
    assert 'id="import-form"' in page.text
    bad = reviewer.post(
        "/lci/imports", data=FORM | {"year": "soon", "csrf_token": csrf_from(page.text)},
        headers=HTML, files={"file": ("p.zip", package.read_bytes(), "application/zip")},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "year" in bad.text
    assert 'value="Test LCI"' in bad.text  # what was typed is kept
    forged = reviewer.post(
        "/lci/imports", data=FORM | {"csrf_token": "forged"}, headers=HTML,
        files={"file": ("p.zip", package.read_bytes(), "application/zip")},
    )  # fmt: skip
    assert forged.status_code == 403


def test_a_job_page_refreshes_while_running_and_stops_when_done(
    browser_of, platform: Platform, tmp_path: Path
) -> None:
    package = PackageBuilder(v1=True).standard().write_zip(tmp_path / "p.zip")
    reviewer = browser_of("operator")
    token = csrf_from(reviewer.get("/lci", headers=HTML).text)
    started = reviewer.post(
        "/lci/imports", data=FORM | {"csrf_token": token}, headers=HTML, follow_redirects=False,
        files={"file": ("p.zip", package.read_bytes(), "application/zip")},
    )  # fmt: skip
    assert started.status_code == 303
    job_url = started.headers["location"]
    job_id = job_url.rsplit("/", 1)[-1]
    platform.jobs.wait(uuid.UUID(job_id), timeout=60)
    done = reviewer.get(job_url, headers=HTML)
    assert done.status_code == 200
    assert 'http-equiv="refresh"' not in done.text
    assert 'id="release-link"' in done.text
    other = browser_of("cq-laptop").get(job_url, headers=HTML)
    assert other.status_code == 404  # another organisation's job
