"""The LCI API: an import is a job whose progress and result the API shows; cancel; refusals."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from pcfhub.platform import jobs
from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.factors.builders import acting
from tests.lci.builders import PackageBuilder
from tests.platform.conftest import API, make_client, token_headers
from tests.support.shared import uslci_archive

FORM = {
    "database": "Test LCI", "release": "R1", "publisher": "pcfhub tests", "year": "2025",
    "licence": "CC0-1.0", "redistribution": "open",
}  # fmt: skip


def wait_for(
    client: TestClient, job_id: str, headers: dict[str, str], attempts: int = 300
) -> dict[str, Any]:
    for _ in range(attempts):
        job = client.get(f"{API}/jobs/{job_id}", headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def test_an_import_runs_as_a_job_and_its_release_is_readable(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    package = PackageBuilder(v1=False).standard().write_zip(tmp_path / "test.zip")
    client = make_client(platform)
    operator = token_headers(platform, client, demo["operator"].organisation_id)
    laptop = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    started = client.post(
        f"{API}/lci/imports", data=FORM, headers=operator,
        files={"file": ("test.zip", package.read_bytes(), "application/zip")},
    )  # fmt: skip
    assert started.status_code == 202, started.text
    job = wait_for(client, started.json()["id"], operator)
    assert job["status"] == "succeeded", job["error"]
    assert (job["done"], job["total"]) == (3, 5)  # the last progress reported before writing
    release_id = job["result"]["release_id"]
    report = client.get(f"{API}/lci/releases/{release_id}", headers=laptop)
    products = client.get(f"{API}/lci/releases/{release_id}/products", params={"q": "steel"},
                          headers=laptop)  # fmt: skip
    listed = client.get(f"{API}/lci/releases", headers=laptop)
    hidden = client.get(f"{API}/jobs/{job['id']}", headers=laptop)
    assert report.status_code == 200
    assert report.json()["counts"]["products"] == 3
    assert report.json()["allocations"][0]["method"] == "physical (data)"
    assert [p["product_name"] for p in products.json()["data"]] == [
        "Steel, at plant",
        "Slag, at plant",  # the process name matches too; largest first
    ]
    assert listed.json()["count"] == 1
    assert hidden.status_code == 404  # another organisation's job


def test_an_enterprise_cannot_import_and_bad_files_fail_the_job_clearly(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    client = make_client(platform)
    operator = token_headers(platform, client, demo["operator"].organisation_id)
    battery = token_headers(platform, client, demo["cq-battery"].organisation_id)
    package = PackageBuilder(v1=True).standard().write_zip(tmp_path / "ok.zip")
    refused = client.post(
        f"{API}/lci/imports", data=FORM, headers=battery,
        files={"file": ("ok.zip", package.read_bytes(), "application/zip")},
    )  # fmt: skip
    bad_form = client.post(
        f"{API}/lci/imports", data=FORM | {"year": "last year"}, headers=operator,
        files={"file": ("ok.zip", package.read_bytes(), "application/zip")},
    )  # fmt: skip
    not_lci = client.post(
        f"{API}/lci/imports", data=FORM, headers=operator,
        files={"file": ("notes.zip", b"PK\x05\x06" + b"\x00" * 18, "application/zip")},
    )  # fmt: skip
    assert refused.status_code == 403
    assert bad_form.status_code == 422
    assert "year" in bad_form.text
    assert not_lci.status_code == 202
    failed = wait_for(client, not_lci.json()["id"], operator)
    assert failed["status"] == "failed"
    assert "notes.zip: neither an openLCA JSON-LD package" in failed["error"]
    assert client.get(f"{API}/lci/releases", headers=operator).json()["count"] == 0


def test_a_cancelled_job_writes_nothing(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    operator = acting(demo["operator"])
    with platform.unit_of_work() as uow:
        job = jobs.create_job(uow, principal=operator, kind="test", title="cancel me")
        uow.commit()
    seen: list[int] = []

    def work(context: jobs.JobContext) -> dict[str, Any]:
        with platform.unit_of_work() as uow:
            for step in range(3):
                context.progress(step, 3, f"step {step}")
                seen.append(step)
                if step == 1:  # a member cancels while the work runs
                    with platform.unit_of_work() as other:
                        jobs.cancel_job(other, principal=operator, job_id=job.id)
                        other.commit()
            uow.commit()
        return {}

    finished = jobs.run_job(platform.unit_of_work, job.id, work)
    assert finished.status == jobs.JobStatus.CANCELLED
    assert seen == [0, 1]  # stopped at the next progress report
    client = make_client(platform)
    headers = token_headers(platform, client, demo["operator"].organisation_id)
    again = client.post(f"{API}/jobs/{job.id}/cancel", headers=headers)
    assert again.status_code == 409


def test_a_real_uslci_release_imports_over_the_api(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    archive = uslci_archive("uslci_fy18_q1_ecospold2.zip")
    client = make_client(platform)
    operator = token_headers(platform, client, demo["operator"].organisation_id)
    started = client.post(
        f"{API}/lci/imports", headers=operator,
        data=FORM | {"database": "USLCI", "release": "FY18", "format": "ecospold2"},
        files={"file": (archive.name, archive.read_bytes(), "application/zip")},
    )  # fmt: skip
    assert started.status_code == 202, started.text
    job = wait_for(client, started.json()["id"], operator, attempts=1200)
    assert job["status"] == "succeeded", job["error"]
    assert (job["result"]["processes"], job["result"]["products"]) == (767, 864)


def test_jobs_left_running_by_a_stopped_server_are_failed_at_start(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    with platform.unit_of_work() as uow:
        job = jobs.create_job(uow, principal=acting(demo["operator"]), kind="test",
                              title="interrupted")  # fmt: skip
        uow.commit()
    with TestClient(create_app(platform=platform)):  # the server starts (its lifespan runs)
        pass
    with platform.unit_of_work(read_only=True) as uow:
        after = jobs.get_job(uow, principal=acting(demo["operator"]), job_id=job.id)
    assert after.status == jobs.JobStatus.FAILED
    assert "interrupted" in (after.error or "")
