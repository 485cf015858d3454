"""The job pages: a recomputation's and an import's progress, and cancelling either returns
to its own page (never to an address the form names otherwise)."""

from __future__ import annotations

import uuid

import pytest

from pcfhub.platform import jobs
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.factors.builders import acting
from tests.platform.conftest import csrf_from
from tests.web.conftest import BrowserOf

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HTML = {"accept": "text/html,application/xhtml+xml"}


def queued(platform: Platform, owner: DemoSignIn, title: str) -> uuid.UUID:
    with platform.unit_of_work() as uow:
        job = jobs.create_job(uow, principal=acting(owner), kind="recompute", title=title)
        uow.commit()
    return job.id


@pytest.mark.parametrize("page", ["/models/jobs/{id}", "/lci/jobs/{id}"])
def test_cancelling_returns_to_the_jobs_own_page(
    platform: Platform, browser_of: BrowserOf, demo: dict[str, DemoSignIn], page: str
) -> None:
    job_id = queued(platform, demo["cq-laptop"], "Recompute after a factor changed")
    owner = browser_of("cq-laptop")
    url = page.format(id=job_id)
    shown = owner.get(url, headers=HTML)
    assert shown.status_code == 200, shown.text
    assert 'id="job-progress"' in shown.text
    assert '<meta http-equiv="refresh"' in shown.text  # queued: the page refreshes itself
    assert f'name="back" value="{url}"' in shown.text
    cancelled = owner.post(
        f"/lci/jobs/{job_id}/cancel",
        data={"csrf_token": csrf_from(shown.text), "back": url},
        follow_redirects=False,
    )
    assert cancelled.status_code == 303
    assert cancelled.headers["location"] == url
    with platform.unit_of_work(read_only=True) as uow:
        assert jobs.get_job(
            uow, principal=acting(demo["cq-laptop"]), job_id=job_id
        ).cancel_requested


def test_cancelling_never_redirects_elsewhere(
    platform: Platform, browser_of: BrowserOf, demo: dict[str, DemoSignIn]
) -> None:
    job_id = queued(platform, demo["cq-laptop"], "Import")
    owner = browser_of("cq-laptop")
    shown = owner.get(f"/lci/jobs/{job_id}", headers=HTML)
    away = owner.post(
        f"/lci/jobs/{job_id}/cancel",
        data={"csrf_token": csrf_from(shown.text), "back": "https://elsewhere.example.com/"},
        follow_redirects=False,
    )
    assert away.headers["location"] == f"/lci/jobs/{job_id}"
