"""Declarations through the HTTP API, on both databases: JSON, PDF and xlsx from a stored
result, issuing into the ledger, roles and tenants as for results, and bad input as problems."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.cli import app
from pcfhub.ledger.audit import audit_log
from pcfhub.ledger.canonical import canonical_json
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from pcfhub.platform.model import Role
from pcfhub.reports.cbam_workbook import read_sections
from tests.accounting.builders import FACTORS
from tests.factors.builders import acting, publish
from tests.platform.conftest import API, make_client, token_headers
from tests.reports.declaration_builders import (
    BATTERY_FIELDS,
    BATTERY_TOTAL,
    CBAM_FIELDS,
    SHEET,
    battery,
    sheet,
)
from tests.support.cli import cli_platform

Headers = dict[str, str]
runner = CliRunner()


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    demo = {sign_in.organisation: sign_in for sign_in in seed_demo(platform)}
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    with platform.unit_of_work() as uow:
        for data in FACTORS.values():
            publish(uow, contributor, reviewer, data)
        uow.commit()
    return demo


def stored_result(client: TestClient, headers: Headers, data: dict) -> str:
    saved = client.post(f"{API}/models", json={"model": data}, headers=headers)
    assert saved.status_code == 201, saved.text
    model_id = saved.json()["model_id"]
    done = client.post(
        f"{API}/models/{model_id}/calculations", json={"iterations": 0}, headers=headers
    )
    assert done.status_code == 201, done.text
    return done.json()["id"]


def test_battery_declaration_as_json_and_pdf_issued_into_the_ledger(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    result_id = stored_result(client, owner, battery())
    url = f"{API}/results/{result_id}/declarations/battery"

    answer = client.post(url, json=BATTERY_FIELDS, headers=owner)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["carbon_footprint_kg_co2e_per_kwh"] == pytest.approx(BATTERY_TOTAL)
    assert body["basis"]["result_id"] == result_id
    assert answer.content == canonical_json(body)  # canonical, so its hash is stable
    assert answer.headers["x-content-sha256"] == hashlib.sha256(answer.content).hexdigest()
    assert "x-ledger-index" not in answer.headers

    printed = client.post(url, params={"format": "pdf", "issue": "true"}, json=BATTERY_FIELDS,
                          headers=owner)  # fmt: skip
    assert printed.status_code == 200, printed.text
    assert printed.headers["content-type"] == "application/pdf"
    assert printed.content.startswith(b"%PDF")
    assert "attachment" in printed.headers["content-disposition"]
    sha = hashlib.sha256(printed.content).hexdigest()
    assert printed.headers["x-content-sha256"] == sha
    index = int(printed.headers["x-ledger-index"])
    entry = client.get(f"{API}/ledger/entries/{index}", headers=owner).json()["entry"]
    assert entry["object"] == {"kind": "declaration", "id": sha}
    assert entry["action"] == "reports.battery_declaration_issued"
    assert entry["organisation"] == str(demo["cq-laptop"].organisation_id)
    with platform.unit_of_work(read_only=True) as uow:
        assert audit_log(uow.session).ok  # `pcfhub verify` recomputes the declaration's entry


def test_cbam_declaration_as_json_and_xlsx(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    client = make_client(platform)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    result_id = stored_result(client, owner, sheet())
    url = f"{API}/results/{result_id}/declarations/cbam"
    answer = client.post(url, json=CBAM_FIELDS, headers=owner)
    assert answer.status_code == 200, answer.text
    emissions = answer.json()["emissions"]
    assert emissions["specific_total"] == pytest.approx(SHEET["total"])
    assert emissions["specific_indirect"] == pytest.approx(SHEET["indirect"])
    book = client.post(url, params={"format": "xlsx", "issue": "true"}, json=CBAM_FIELDS,
                       headers=owner)  # fmt: skip
    assert book.status_code == 200, book.text
    assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
    cells = read_sections(book.content)
    assert cells["CN code / CN编码"] == "7606 12 99"
    assert cells["Specific embedded emissions, total (t CO2e/t) / 特定隐含排放合计"] == (
        pytest.approx(SHEET["total"])
    )
    assert int(book.headers["x-ledger-index"]) >= 0
    # The schemas are published for whoever builds on the documents.
    for kind, field in (("battery", "stages"), ("cbam", "emissions")):
        schema = client.get(f"{API}/declarations/{kind}/schema")
        assert schema.status_code == 200
        assert field in schema.json()["properties"]
    spec = client.get(f"{API}/openapi.json").json()
    assert "BatteryDeclaration" in spec["components"]["schemas"]


def test_roles_and_tenants_as_for_results(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    client = make_client(platform)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    viewer = token_headers(
        platform, client, demo["cq-laptop"].organisation_id, role=Role.VIEWER, scopes=["*:read"]
    )
    other = token_headers(platform, client, demo["cq-battery"].organisation_id)
    result_id = stored_result(client, owner, battery())
    url = f"{API}/results/{result_id}/declarations/battery"
    with platform.unit_of_work(read_only=True) as uow:
        before = audit_log(uow.session).entries

    assert client.post(url, json=BATTERY_FIELDS, headers=viewer).status_code == 200
    refused = client.post(url, params={"issue": "true"}, json=BATTERY_FIELDS, headers=viewer)
    assert refused.status_code == 403, refused.text
    for params in ({}, {"issue": "true"}, {"format": "pdf"}):
        stranger = client.post(url, params=params, json=BATTERY_FIELDS, headers=other)
        assert stranger.status_code == 404, stranger.text
        assert "Test LFP pack" not in stranger.text  # the id it sent is all it hears back
    cbam = client.post(f"{API}/results/{result_id}/declarations/cbam", json=CBAM_FIELDS,
                       headers=other)  # fmt: skip
    assert cbam.status_code == 404
    assert client.post(url, json=BATTERY_FIELDS).status_code == 401
    with platform.unit_of_work(read_only=True) as uow:
        assert audit_log(uow.session).entries == before  # nothing issued


def test_bad_input_is_a_problem_naming_the_field(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    per_pack = stored_result(client, owner, battery(per_piece=True))
    battery_url = f"{API}/results/{per_pack}/declarations/battery"
    cbam_url = f"{API}/results/{per_pack}/declarations/cbam"
    cases = [
        (battery_url, {}, BATTERY_FIELDS, 422, "energy_delivered_kwh"),
        (battery_url, {"format": "xlsx"}, BATTERY_FIELDS, 422, "format"),
        (battery_url, {}, BATTERY_FIELDS | {"public_study_url": "ftp:x"}, 422, "public_study_url"),
        (battery_url, {}, {"battery_model": "X"}, 422, "manufacturer_name"),
        (cbam_url, {}, CBAM_FIELDS | {"cn_code": "8708 70 10"}, 422, "cn_code"),
        (cbam_url, {}, CBAM_FIELDS, 422, "mass_per_declared_unit_t"),
        (cbam_url, {}, CBAM_FIELDS | {"reporting_period": "Q1"}, 422, "reporting_period"),
        (f"{API}/results/{uuid.uuid4()}/declarations/cbam", {}, CBAM_FIELDS, 404, "No accounting"),
        (f"{API}/results/not-an-id/declarations/cbam", {}, CBAM_FIELDS, 422, "result_id"),
    ]
    for url, params, body, status, named in cases:
        answer = client.post(url, params=params, json=body, headers=owner)
        assert answer.status_code == status, (named, answer.text)
        assert answer.headers["content-type"] == "application/problem+json", named
        assert named in answer.json()["detail"], (named, answer.text)
    raw = client.post(battery_url, content=b"{not json", headers=owner | {"content-type":
                      "application/json"})  # fmt: skip
    assert raw.status_code == 422
    too_big = io.BytesIO(json.dumps(BATTERY_FIELDS | {"battery_model": "x" * 301}).encode())
    answer = client.post(battery_url, content=too_big.read(), headers=owner | {"content-type":
                         "application/json"})  # fmt: skip
    assert answer.status_code == 422
    assert "battery_model" in answer.json()["detail"]


def test_the_cli_writes_and_issues_declarations(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cli_platform(database_url, tmp_path / "data", monkeypatch) as platform:
        demo = {s.organisation: s for s in seed_demo(platform)}
        owner = acting(demo["cq-laptop"])
        with platform.unit_of_work() as uow:
            for data in FACTORS.values():
                publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
            results = []
            for data in (battery(per_piece=True), sheet()):
                saved = accounting.save_model(
                    uow, principal=owner, model=ProductModel.model_validate(data)
                )
                done = accounting.calculate(
                    uow, principal=owner, model_id=saved.model_id, iterations=0
                )
                results.append(str(done.id))
            uow.commit()
        fields = tmp_path / "battery.yaml"
        fields.write_text(yaml.safe_dump(BATTERY_FIELDS), encoding="utf-8")
        pack, coil = results
        args = ["declare", "battery", pack, "--organisation", "cq-laptop", "--fields", str(fields)]
        refused = runner.invoke(app, [*args, "--json", str(tmp_path / "b.json")])
        assert refused.exit_code == 2
        assert "energy_delivered_kwh" in refused.output
        done = runner.invoke(
            app,
            [*args, "--set", "energy_delivered_kwh=1000", "--json", str(tmp_path / "b.json"),
             "--pdf", str(tmp_path / "b.pdf"), "--issue"],
        )  # fmt: skip
        assert done.exit_code == 0, done.output
        body = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
        assert body["carbon_footprint_kg_co2e_per_kwh"] == pytest.approx(BATTERY_TOTAL)
        assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF")
        assert done.output.count("ledger entry") == 2
        sets = [f"--set={k}={v}" for k, v in CBAM_FIELDS.items()]
        cbam = runner.invoke(
            app,
            ["declare", "cbam", coil, "--organisation", "cq-laptop", *sets,
             "--xlsx", str(tmp_path / "c.xlsx")],
        )  # fmt: skip
        assert cbam.exit_code == 0, cbam.output
        cells = read_sections((tmp_path / "c.xlsx").read_bytes())
        assert cells["Quantity (t) / 数量（吨）"] == 10.0
        stranger = runner.invoke(
            app, ["declare", "cbam", coil, "--organisation", "cq-battery", *sets, "--json", "x"]
        )
        assert stranger.exit_code == 2
        assert "Not found" in stranger.output
