"""Models and results through the HTTP API: save, import, export, calculate, compare."""

from __future__ import annotations

import uuid

import pytest

from pcfhub.accounting import service
from pcfhub.factors.service import CHECKLIST
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.accounting.builders import FACTORS, widget
from tests.accounting.test_calculate import LOCATION, MARKET
from tests.platform.conftest import API, make_client, token_headers


def test_save_calculate_read_and_compare_over_http(
    platform: Platform, demo: dict[str, DemoSignIn], published: dict[str, uuid.UUID]
) -> None:
    client = make_client(platform)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    other = token_headers(platform, client, demo["cq-battery"].organisation_id)

    saved = client.post(f"{API}/models", json={"model": widget()}, headers=owner)
    assert saved.status_code == 201, saved.text
    model_id = saved.json()["model_id"]
    assert saved.json()["version"] == 1
    preview = client.post(f"{API}/models/evaluate", json={"model": widget()}, headers=owner)
    assert preview.status_code == 200, preview.text
    assert preview.json()["location_based"]["total"] == pytest.approx(LOCATION)

    first = client.post(
        f"{API}/models/{model_id}/calculations", json={"iterations": 100}, headers=owner
    )
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["market_total"] == pytest.approx(MARKET)
    assert body["result"]["uncertainty"]["iterations"] == 100
    changed = widget()
    changed["processes"][0]["exchanges"][0]["amount"] = 20
    client.post(f"{API}/models", json={"model": changed}, headers=owner)
    second = client.post(
        f"{API}/models/{model_id}/calculations", json={"iterations": 0}, headers=owner
    ).json()
    assert second["model_version"] == 2
    assert second["location_total"] == pytest.approx(LOCATION + 10 * 0.5)

    ids = [body["id"], second["id"]]
    compared = client.get(f"{API}/results/compare", params={"ids": ids}, headers=owner)
    assert compared.status_code == 200, compared.text
    assert [r["model_version"] for r in compared.json()] == [1, 2]
    owner_id = str(demo["cq-laptop"].organisation_id)
    assert {r["organisation_id"] for r in compared.json()} == {owner_id}
    too_many = ids * (service.MAX_COMPARE // 2) + ids[:1]
    refused = client.get(f"{API}/results/compare", params={"ids": too_many}, headers=owner)
    assert refused.status_code == 422, refused.text
    assert f"at most {service.MAX_COMPARE} results" in refused.text
    most = (ids * service.MAX_COMPARE)[: service.MAX_COMPARE]
    allowed = client.get(f"{API}/results/compare", params={"ids": most}, headers=owner)
    assert allowed.status_code == 200, allowed.text
    assert len(allowed.json()) == service.MAX_COMPARE
    listed = client.get(f"{API}/results", params={"model_id": model_id}, headers=owner).json()
    assert listed["count"] == 2

    for path in (f"/models/{model_id}", f"/results/{body['id']}"):
        assert client.get(f"{API}{path}", headers=other).status_code in (403, 404)
    assert client.get(f"{API}/results/compare", params={"ids": ids}, headers=other).status_code in (
        403,
        404,
    )
    assert client.get(f"{API}/results", headers=other).json()["count"] == 0


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_imports_back_to_the_same_model(
    platform: Platform, demo: dict[str, DemoSignIn], published: dict[str, uuid.UUID], fmt: str
) -> None:
    client = make_client(platform)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    model_id = client.post(f"{API}/models", json={"model": widget()}, headers=owner).json()[
        "model_id"
    ]
    exported = client.get(f"{API}/models/{model_id}/export", params={"format": fmt}, headers=owner)
    assert exported.status_code == 200
    assert f'filename="widget-v1.{fmt}"' in exported.headers["content-disposition"]
    imported = client.post(
        f"{API}/models/import", headers=owner, files={"file": (f"widget.{fmt}", exported.content)}
    )
    assert imported.status_code == 201, imported.text
    assert imported.json()["version"] == 2
    first = client.get(f"{API}/models/{model_id}", params={"version": 1}, headers=owner).json()
    assert imported.json()["model"] == first["model"]


def test_bad_files_and_bodies_are_4xx_problems_that_name_the_place(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    bad = b"code: widget\nproduct: {name_en: W}\nprocesses:\n  - {id: a, stage: moon}\n"
    answer = client.post(
        f"{API}/models/import", headers=owner, files={"file": ("widget.yaml", bad)}
    )
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "widget.yaml, processes[0].stage" in detail
    assert "widget.yaml, product.name_zh: Field required" in detail
    broken = client.post(
        f"{API}/models/import", headers=owner, files={"file": ("widget.yaml", b"code: [unclosed")}
    )
    assert broken.status_code == 422
    assert "not valid YAML" in broken.json()["detail"]
    data = widget()
    data["processes"][0]["exchanges"][0]["amount"] = -1
    invalid = client.post(f"{API}/models", json={"model": data}, headers=owner)
    assert invalid.status_code == 422
    assert client.get(f"{API}/models", headers=owner).json()["count"] == 0
    missing = client.post(f"{API}/models/{uuid.uuid4()}/calculations", json={}, headers=owner)
    assert missing.status_code == 404


def test_publishing_a_newer_factor_starts_the_owners_recompute_job(
    platform: Platform, demo: dict[str, DemoSignIn], published: dict[str, uuid.UUID]
) -> None:
    client = make_client(platform)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    maker = token_headers(platform, client, demo["cq-battery"].organisation_id)
    reviewer = token_headers(platform, client, demo["operator"].organisation_id)
    model_id = client.post(f"{API}/models", json={"model": widget()}, headers=owner).json()[
        "model_id"
    ]
    first = client.post(
        f"{API}/models/{model_id}/calculations", json={"iterations": 0}, headers=owner
    ).json()
    steel = FACTORS["test.steel"].model_dump(mode="json") | {
        "value": 2.5,
        "gases": {"co2_fossil": 2.202, "ch4_fossil": 0.01},
    }
    draft = client.post(f"{API}/factors", json=steel, headers=maker).json()["id"]
    client.post(f"{API}/factors/versions/{draft}/submit", headers=maker)
    reviewed = client.post(
        f"{API}/factors/versions/{draft}/review",
        headers=reviewer,
        json={"publish": True, "checklist": dict.fromkeys(CHECKLIST, True)},
    )
    assert reviewed.status_code == 200, reviewed.text
    listed = client.get(f"{API}/jobs", headers=owner).json()["data"]
    [job] = [j for j in listed if j["kind"] == "accounting.recompute"]
    finished = platform.jobs.wait(uuid.UUID(job["id"]), timeout=60)
    assert finished.status == "succeeded", finished.error
    [pair] = finished.result["results"]
    assert pair["old"] == first["id"]
    fresh = client.get(f"{API}/results/{pair['new']}", headers=owner).json()
    assert fresh["replaces_id"] == first["id"]
    assert fresh["location_total"] == pytest.approx(LOCATION + 2.2 * 0.5)
    # The job is the owner's: the contributor sees no job of it.
    assert all(
        j["kind"] != "accounting.recompute"
        for j in client.get(f"{API}/jobs", headers=maker).json()["data"]
    )
    started = client.post(f"{API}/recomputations", headers=owner)
    assert started.status_code == 202
    again = platform.jobs.wait(uuid.UUID(started.json()["id"]), timeout=60)
    assert again.result["recomputed"] == 0
