"""The catalogue API: reads for everyone signed in, publication for regulators and the operator
(JSON or a file), and problem bodies (never a 500) for bad input."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.catalogue.builders import catalogue_record, next_catalogue, rule_record
from tests.platform.conftest import API, assert_problem, make_client, token_headers

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return make_client(platform, raise_server_exceptions=False)


def test_a_regulator_publishes_and_an_enterprise_reads(
    platform: Platform, demo: dict[str, DemoSignIn], client: TestClient
) -> None:
    regulator = token_headers(platform, client, demo["regulator"].organisation_id)
    laptop = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    refused = client.post(f"{API}/catalogue/rules", json=rule_record(), headers=laptop)
    assert_problem(refused, 403)
    created = client.post(f"{API}/catalogue/rules", json=rule_record(), headers=regulator)
    assert created.status_code == 201, created.text
    assert (created.json()["code"], created.json()["version"]) == ("t.battery", 1)
    first = client.post(f"{API}/catalogue/versions", json=catalogue_record(), headers=regulator)
    assert first.status_code == 201, first.text
    upload = next_catalogue().model_dump(mode="json")
    upload["sectors"][1]["categories"][0]["rule_code"] = "t.battery"
    second = client.post(
        f"{API}/catalogue/files", headers=regulator,
        files={"file": ("v2.json", json.dumps(upload).encode(), "application/json")},
    )  # fmt: skip
    assert second.status_code == 201, second.text
    assert second.json()["catalogue"]["version"] == 2

    listed = client.get(f"{API}/catalogue/versions", headers=laptop).json()
    assert [v["version"] for v in listed["data"]] == [2, 1]
    in_force = client.get(
        f"{API}/catalogue/effective", params={"day": "2026-03-01"}, headers=laptop
    )
    assert in_force.json()["version"] == 1
    diff = client.get(f"{API}/catalogue/diff", params={"from": 1, "to": 2}, headers=laptop).json()
    assert [c["code"] for c in diff["categories_added"]] == ["farm.orange"]
    assert diff["rules_added"] == []  # farm.tea now names t.battery, already named before
    hits = client.get(f"{API}/catalogue/categories", params={"hs": "850760", "version": 1},
                      headers=laptop).json()  # fmt: skip
    assert [h["category"]["code"] for h in hits["data"]] == ["nev.battery"]
    rule = client.get(f"{API}/catalogue/rules/t.battery", params={"day": "2026-02-01"},
                      headers=laptop).json()  # fmt: skip
    assert (rule["version"], rule["effective_from"]) == (1, "2026-01-01")
    assert rule["data"]["unit"] == "kWh"
    versions = client.get(f"{API}/catalogue/rules/t.battery/versions", headers=laptop).json()
    assert [v["version"] for v in versions] == [1]
    assert client.get(f"{API}/catalogue/rules", headers=laptop).json()["count"] == 1


def test_rule_versions_and_their_diff(
    platform: Platform, demo: dict[str, DemoSignIn], client: TestClient
) -> None:
    operator = token_headers(platform, client, demo["operator"].organisation_id)
    rules = {"rules": [rule_record(), rule_record("t.farm", unit="kg")]}
    toml_v2 = rule_record(effective_from="2026-07-01", unit="MWh")
    upload = {"file": ("r.json", json.dumps(rules).encode(), "application/json")}
    first = client.post(f"{API}/catalogue/files", headers=operator, files=upload)
    assert [r["code"] for r in first.json()["rules"]] == ["t.battery", "t.farm"]
    assert client.post(f"{API}/catalogue/rules", json=toml_v2, headers=operator).status_code == 201
    one = client.get(f"{API}/catalogue/rules/t.battery/versions/2", headers=operator).json()
    assert one["effective_from"] == "2026-07-01"
    diff = client.get(f"{API}/catalogue/rules/t.battery/diff", params={"from": 1, "to": 2},
                      headers=operator).json()  # fmt: skip
    assert [c["field"] for c in diff["changes"]] == ["effective_from", "unit"]


def test_bad_input_is_a_problem_naming_what_is_wrong(
    platform: Platform, demo: dict[str, DemoSignIn], client: TestClient
) -> None:
    regulator = token_headers(platform, client, demo["regulator"].organisation_id)
    reader = token_headers(platform, client, demo["cq-battery"].organisation_id)
    bad_file = client.post(
        f"{API}/catalogue/files", headers=regulator,
        files={"file": ("c.toml", b'title_zh = "x"\n[[sectors]]\ncode = "a"\n', "text/plain")},
    )  # fmt: skip
    body = assert_problem(bad_file, 422)
    assert "c.toml, title_en: Field required" in body["detail"]
    assert "c.toml, sectors[0].name_zh: Field required" in body["detail"]
    no_rule = client.post(f"{API}/catalogue/versions", json=catalogue_record(), headers=regulator)
    assert "rule_code: no rule 't.battery'" in assert_problem(no_rule, 422)["detail"]
    assert_problem(client.post(f"{API}/catalogue/rules", json=rule_record(unit_kind="x"),
                               headers=regulator), 422)  # fmt: skip
    for path, params in [
        ("/catalogue/versions/0", {}),
        ("/catalogue/versions/99999999999999999999", {}),
        ("/catalogue/diff", {"from": "x", "to": 1}),
        ("/catalogue/categories", {"hs": "85a"}),
        ("/catalogue/categories", {"day": "2026-13-01"}),
        ("/catalogue/rules/bad%00code", {}),
    ]:
        assert_problem(client.get(f"{API}{path}", params=params, headers=reader), 422)
    assert_problem(client.get(f"{API}/catalogue/effective", headers=reader), 404)
    assert_problem(client.get(f"{API}/catalogue/versions/3", headers=reader), 404)
    assert_problem(client.get(f"{API}/catalogue/rules/t.none", headers=reader), 404)
    assert_problem(client.get(f"{API}/catalogue/versions"), 401)
    scoped = token_headers(platform, client, demo["regulator"].organisation_id,
                           scopes=["catalogue:read"])  # fmt: skip
    assert_problem(client.post(f"{API}/catalogue/rules", json=rule_record(), headers=scoped), 403)
