"""`pcfhub report issue | list | preview | verify`, in process, on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.cli import app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo
from pcfhub.reports import commands
from tests.accounting.builders import FACTORS
from tests.factors.builders import acting, publish
from tests.platform.conftest import make_client
from tests.reports.builders import study_model
from tests.support.cli import cli_platform

runner = CliRunner()


@pytest.fixture
def cli_result(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Platform, uuid.UUID]]:
    with cli_platform(database_url, tmp_path / "data", monkeypatch) as platform:
        demo = {s.organisation: s for s in seed_demo(platform)}
        owner = acting(demo["cq-laptop"])
        with platform.unit_of_work() as uow:
            for data in FACTORS.values():
                publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
            saved = accounting.save_model(
                uow, principal=owner, model=ProductModel.model_validate(study_model())
            )
            stored = accounting.calculate(
                uow, principal=owner, model_id=saved.model_id, iterations=50
            )
            uow.commit()
        yield platform, stored.id


def test_issue_list_preview_and_verify_from_the_command_line(
    cli_result: tuple[Platform, uuid.UUID], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    platform, result_id = cli_result
    out = tmp_path / "issued"
    issued = runner.invoke(
        app,
        ["report", "issue", str(result_id), "--organisation", "cq-laptop", "--out", str(out)],
    )
    assert issued.exit_code == 0, issued.output
    pdf = next(out.glob("*.pdf"))
    html = next(out.glob("*.html"))
    listed = runner.invoke(app, ["report", "list", "--organisation", "cq-laptop"])
    assert "1 reports." in listed.output
    preview = tmp_path / "preview.pdf"
    made = runner.invoke(
        app,
        ["report", "preview", str(result_id), "--organisation", "cq-laptop", "--out", str(preview),
         "--language", "en"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert preview.read_bytes().startswith(b"%PDF")

    for document in (pdf, html):  # against the configured database
        checked = runner.invoke(app, ["report", "verify", str(document)])
        assert checked.exit_code == 0, checked.output
        assert "VERIFIED" in checked.output

    # Against a running platform: the proof comes over HTTP and is checked link by link.
    client = make_client(platform)

    def fetch(url: str, sha256: str) -> tuple[dict[str, Any] | None, str]:
        response = client.post("/api/v1/reports/verify/hash", json={"sha256": sha256})
        return (response.json(), "") if response.status_code == 200 else (None, response.text)

    monkeypatch.setattr(commands, "fetch_proof", fetch)
    remote = runner.invoke(app, ["report", "verify", str(pdf), "--url", "https://pcf.example"])
    assert remote.exit_code == 0, remote.output
    keys = client.get("/api/v1/ledger/keys").json()
    key = tmp_path / "platform.pem"
    key.write_text(next(iter(keys.values())))
    pinned = runner.invoke(
        app, ["report", "verify", str(pdf), "--url", "https://pcf.example", "--key", str(key)]
    )
    assert pinned.exit_code == 0, pinned.output
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(pdf.read_bytes() + b"\n")
    refused = runner.invoke(app, ["report", "verify", str(changed), "--url", "https://x"])
    assert refused.exit_code == 1
    assert "NOT VERIFIED" in refused.output


def test_another_organisation_cannot_issue(cli_result: tuple[Platform, uuid.UUID]) -> None:
    _, result_id = cli_result
    refused = runner.invoke(
        app, ["report", "issue", str(result_id), "--organisation", "cq-battery"]
    )
    assert refused.exit_code == 2
    assert "Not found" in refused.output or "No " in refused.output
