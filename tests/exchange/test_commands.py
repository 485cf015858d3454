"""`pcfhub pact`: list an organisation's footprints, export one as PACT JSON, show the outbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pcfhub.cli import app
from pcfhub.exchange import connections, outbox
from pcfhub.exchange import service as footprints
from pcfhub.exchange.schemas import ConnectionCreate, PublishRequest
from pcfhub.exchange.store import PactConnectionRow
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo
from tests.accounting.builders import FACTORS
from tests.exchange.conftest import PUBLISH, stored_result
from tests.exchange.test_pact import errors
from tests.factors.builders import acting, publish
from tests.support.cli import cli_platform

runner = CliRunner()
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def published_footprint(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Platform, str]]:
    with cli_platform(database_url, tmp_path / "cli", monkeypatch) as platform:
        demo = {s.organisation: s for s in seed_demo(platform)}
        owner = acting(demo["cq-laptop"])
        with platform.unit_of_work() as uow:
            for data in FACTORS.values():
                publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
            uow.commit()
        result_id = stored_result(platform, owner)
        with platform.unit_of_work() as uow:
            done = footprints.publish(
                uow, principal=owner, data=PublishRequest(result_id=result_id, **PUBLISH)
            )
            created = connections.add_connection(
                uow, principal=owner, secret=platform.secret,
                data=ConnectionCreate(name="Unreachable Partner", base_url="https://127.0.0.1:9",
                                      remote_client_id="a", remote_client_secret="b"),
            )  # fmt: skip
            link = uow.session.get(PactConnectionRow, created.id)
            assert link is not None
            outbox.queue(uow, link, {"type": "t", "id": "e-1"})
            uow.commit()
        yield platform, str(done.id)


@SQLITE
def test_list_and_export(published_footprint: tuple[Platform, str], tmp_path: Path) -> None:
    _platform, footprint_id = published_footprint
    listed = runner.invoke(app, ["pact", "footprints", "--organisation", "cq-laptop"])
    assert listed.exit_code == 0, listed.output
    assert footprint_id in listed.output
    assert "7.6642" in listed.output
    other = runner.invoke(app, ["pact", "footprints", "--organisation", "cq-battery"])
    assert footprint_id not in other.output
    target = tmp_path / "pf.json"
    exported = runner.invoke(
        app,
        ["pact", "export", footprint_id, "--organisation", "cq-laptop", "--version", "2",
         "-o", str(target)],
    )  # fmt: skip
    assert exported.exit_code == 0, exported.output
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["id"] == footprint_id
    assert errors("v2", document) == []
    foreign = runner.invoke(app, ["pact", "export", footprint_id, "--organisation", "cq-battery"])
    assert foreign.exit_code != 0


@SQLITE
def test_the_outbox_shows_a_failed_delivery(published_footprint: tuple[Platform, str]) -> None:
    shown = runner.invoke(app, ["pact", "outbox", "--deliver"])
    assert shown.exit_code == 0, shown.output
    assert "0 delivered, 1 to retry" in shown.output
    assert "Unreachable Partner" in shown.output
    assert "waiting" in shown.output
