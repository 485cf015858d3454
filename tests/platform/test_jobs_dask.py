"""Jobs on a real Dask cluster (one worker process): progress, result, cancel, failure, a server
restart, and a real LCI import, on SQLite and PostgreSQL files shared with the worker."""

from __future__ import annotations

import logging
import os
import pickle
import time
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from pcfhub.config import Settings
from pcfhub.errors import ConfigurationError, InvalidInputError
from pcfhub.lci import service as lci
from pcfhub.lci.api import start_import
from pcfhub.platform import jobs
from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal
from pcfhub.platform.runners import DaskRunner, DatabaseUnits
from pcfhub.platform.store import OrganisationRow
from tests.factors.builders import acting
from tests.lci.builders import PackageBuilder
from tests.support.jobs import failing_work, gated_work
from tests.support.skips import skip_or_fail

TIMEOUT_S = 30


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A local cluster of one single-threaded worker process; its scheduler's address."""
    try:
        from distributed import LocalCluster
    except ImportError:
        skip_or_fail("the distributed package is not installed (pip install -e '.[dev]')")
    with LocalCluster(
        n_workers=1,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        silence_logs=logging.WARNING,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def settings(database_url: str, tmp_path: Path, scheduler: str) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key=SecretStr("test-secret-" + "x" * 40),
        job_backend="dask",
        dask_scheduler=scheduler,
    )


@pytest.fixture
def operator(demo: dict[str, DemoSignIn]) -> Principal:
    return acting(demo["operator"])


def new_job(platform: Platform, principal: Principal, title: str) -> uuid.UUID:
    with platform.unit_of_work() as uow:
        job = jobs.create_job(uow, principal=principal, kind="test", title=title)
        uow.commit()
    return job.id


def read_job(platform: Platform, principal: Principal, job_id: uuid.UUID) -> jobs.JobPublic:
    with platform.unit_of_work(read_only=True) as uow:
        return jobs.get_job(uow, principal=principal, job_id=job_id)


def poll(
    platform: Platform,
    principal: Principal,
    job_id: uuid.UUID,
    until: Callable[[jobs.JobPublic], bool],
) -> jobs.JobPublic:
    deadline = time.monotonic() + TIMEOUT_S
    while not until(job := read_job(platform, principal, job_id)):
        assert time.monotonic() < deadline, f"job {job_id} never got there: {job}"
        time.sleep(0.02)
    return job


def waiting_at_gate(job: jobs.JobPublic) -> bool:
    return job.status == jobs.JobStatus.RUNNING and job.done == 1


def organisation_exists(platform: Platform, slug: str) -> bool:
    with platform.unit_of_work(read_only=True) as uow:
        stmt = select(OrganisationRow.id).where(OrganisationRow.slug == slug)
        return uow.session.scalar(stmt) is not None


def test_a_job_runs_on_a_worker_with_its_progress_visible_and_its_result_recorded(
    platform: Platform, operator: Principal, tmp_path: Path
) -> None:
    job_id = new_job(platform, operator, "gated")
    gate = tmp_path / "gate"
    platform.jobs.submit(platform.job_units, job_id, partial(gated_work, gate=gate, slug="made"))
    running = poll(platform, operator, job_id, waiting_at_gate)
    gate.touch()
    finished = platform.jobs.wait(job_id, timeout=TIMEOUT_S)
    assert (running.done, running.total, running.message) == (1, 2, "waiting at the gate")
    assert finished.status == jobs.JobStatus.SUCCEEDED, finished.error
    assert finished.result is not None
    assert finished.result["slug"] == "made"
    assert finished.result["pid"] != os.getpid()  # it ran in the worker's process
    assert read_job(platform, operator, job_id).result == finished.result
    assert organisation_exists(platform, "made")


def test_a_cancel_stops_a_job_on_a_worker_and_its_writes_are_rolled_back(
    platform: Platform, operator: Principal, tmp_path: Path
) -> None:
    job_id = new_job(platform, operator, "cancel me")
    gate = tmp_path / "gate"
    platform.jobs.submit(platform.job_units, job_id, partial(gated_work, gate=gate, slug="gone"))
    poll(platform, operator, job_id, waiting_at_gate)
    with platform.unit_of_work() as uow:
        jobs.cancel_job(uow, principal=operator, job_id=job_id)
        uow.commit()
    gate.touch()  # the work writes its organisation, then sees the cancel before committing
    finished = platform.jobs.wait(job_id, timeout=TIMEOUT_S)
    assert finished.status == jobs.JobStatus.CANCELLED
    assert finished.message == "cancelled; nothing was written"
    assert not organisation_exists(platform, "gone")


def test_failing_work_on_a_worker_records_the_error(
    platform: Platform, operator: Principal
) -> None:
    refused, broken = new_job(platform, operator, "refused"), new_job(platform, operator, "broken")
    error = InvalidInputError("rows: row 3 has no amount; add one.")
    platform.jobs.submit(platform.job_units, refused, partial(failing_work, error=error))
    platform.jobs.submit(
        platform.job_units, broken, partial(failing_work, error=ValueError("boom"))
    )
    first = platform.jobs.wait(refused, timeout=TIMEOUT_S)
    second = platform.jobs.wait(broken, timeout=TIMEOUT_S)
    assert (first.status, first.error) == (jobs.JobStatus.FAILED, str(error))
    assert second.status == jobs.JobStatus.FAILED
    assert (second.error or "").startswith("internal error: ValueError('boom')")
    assert read_job(platform, operator, broken).error == second.error


def test_a_server_start_fails_only_the_jobs_the_cluster_does_not_hold(
    platform: Platform, operator: Principal, tmp_path: Path
) -> None:
    held, lost = new_job(platform, operator, "held"), new_job(platform, operator, "lost")
    gate = tmp_path / "gate"
    platform.jobs.submit(platform.job_units, held, partial(gated_work, gate=gate, slug="kept"))
    poll(platform, operator, held, waiting_at_gate)
    with TestClient(create_app(platform=platform)):  # the server starts (its lifespan runs)
        assert read_job(platform, operator, lost).status == jobs.JobStatus.FAILED
        assert read_job(platform, operator, held).status == jobs.JobStatus.RUNNING
    gate.touch()  # the server has stopped and closed its client: the cluster goes on
    finished = poll(platform, operator, held, lambda job: job.status in jobs.FINISHED)
    assert finished.status == jobs.JobStatus.SUCCEEDED, finished.error
    assert "interrupted" in (read_job(platform, operator, lost).error or "")


def test_a_real_lci_import_runs_on_a_worker(
    platform: Platform, operator: Principal, tmp_path: Path
) -> None:
    package = PackageBuilder(v1=False).standard().write_zip(tmp_path / "test.zip")
    options = lci.ImportOptions(
        database="Test LCI",
        release="R1",
        publisher="pcfhub tests",
        document="Illustrative",
        year=2025,
        licence="CC0-1.0",
        redistribution="open",
    )
    with platform.unit_of_work() as uow:
        job = start_import(
            platform,
            uow,
            principal=operator,
            filename="test.zip",
            content=package.read_bytes(),
            options=options,
        )
    finished = platform.jobs.wait(job.id, timeout=TIMEOUT_S)
    assert finished.status == jobs.JobStatus.SUCCEEDED, finished.error
    assert finished.result is not None
    with platform.unit_of_work(read_only=True) as uow:
        release_id = uuid.UUID(finished.result["release_id"])
        report = lci.release_report(uow, principal=operator, release_id=release_id)
    assert report.counts["products"] == finished.result["products"] == 3
    assert report.file_name == "test.zip"


def test_the_unit_of_work_factory_pickles_without_showing_its_password(tmp_path: Path) -> None:
    units = DatabaseUnits("postgresql+psycopg://pcfhub:s3cret@db/pcfhub", tmp_path / "key.pem")
    assert pickle.loads(pickle.dumps(units)) == units
    assert "s3cret" not in repr(units)
    with pytest.raises(ConfigurationError, match="PCFHUB_DASK_SCHEDULER is not set"):
        Settings(environment="development", job_backend="dask")


def test_without_a_scheduler_no_job_is_failed_and_a_submit_says_why() -> None:
    runner = DaskRunner("tcp://127.0.0.1:9", timeout=0.5)  # nothing listens on port 9
    job_id = uuid.uuid4()
    assert runner.still_running([job_id]) == {job_id}  # not known to have stopped: kept
    with pytest.raises(ConfigurationError, match="No Dask scheduler answers"):
        runner.submit(
            DatabaseUnits("sqlite://"),
            job_id,
            partial(failing_work, error=ValueError("never runs")),
        )
    runner.shutdown()


def test_recomputing_stale_results_runs_on_a_worker(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    """The accounting sweep (issue 6's batch job) is picklable work too."""
    from pcfhub.accounting import recompute, service
    from pcfhub.accounting.model import ProductModel
    from pcfhub.factors.model import FactorData
    from tests.accounting.builders import FACTORS, widget
    from tests.factors.builders import publish

    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    owner = acting(demo["cq-laptop"])
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, contributor, reviewer, data)
        saved = service.save_model(
            uow, principal=owner, model=ProductModel.model_validate(widget())
        )
        old = service.calculate(uow, principal=owner, model_id=saved.model_id, iterations=20)
        steel = FACTORS["test.steel"].model_dump() | {
            "value": 2.5,
            "gases": {"co2_fossil": 2.202, "ch4_fossil": 0.01},
        }
        publish(uow, contributor, reviewer, FactorData.model_validate(steel))
        uow.commit()
    [job] = recompute.factor_changed(platform)
    finished = platform.jobs.wait(job.id, timeout=TIMEOUT_S)
    assert finished.status == jobs.JobStatus.SUCCEEDED, finished.error
    assert finished.result is not None
    [pair] = finished.result["results"]
    assert pair["old"] == str(old.id)
    with platform.unit_of_work(read_only=True) as uow:
        new = service.get_result(uow, principal=owner, result_id=uuid.UUID(pair["new"]))
    assert new.location_total == pytest.approx(old.location_total + 2.2 * 0.5)
    assert new.result.uncertainty is not None
    assert new.result.uncertainty.iterations == 20
