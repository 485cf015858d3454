"""The factor lifecycle through the HTTP API, with tokens of three organisations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pcfhub.factors.formats import export_bytes, read_factors
from pcfhub.factors.service import CHECKLIST
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.factors.builders import PROPRIETARY, acting, publish, record
from tests.platform.conftest import API, make_client, token_headers

RECORD: dict[str, Any] = {
    "lineage_key": "cq-battery.cell.lfp",
    "name_zh": "磷酸铁锂电芯（示例）",
    "name_en": "LFP cell (illustrative)",
    "activity": "battery.cell.lfp",
    "value": 55.0,  # illustrative, per kWh of capacity
    "unit": "kWh",
    "gwp_set": "AR6",
    "boundary": "cradle_to_gate",
    "geography": "CN-CQ",
    "reference_year": 2025,
    "source": {"publisher": "CQ Demo Battery Co.", "document": "PCF study 2025", "year": 2025},
    "licence": {"identifier": "CC-BY-4.0", "redistribution": "attribution"},
}


def test_draft_submit_publish_and_read_over_http(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform)
    maker = token_headers(platform, client, demo["cq-battery"].organisation_id)
    reviewer = token_headers(platform, client, demo["operator"].organisation_id)
    other = token_headers(platform, client, demo["cq-laptop"].organisation_id)

    created = client.post(f"{API}/factors", json=RECORD, headers=maker)
    assert created.status_code == 201, created.text
    version = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert client.get(f"{API}/factors/versions/{version}", headers=other).status_code == 404

    assert (
        client.post(f"{API}/factors/versions/{version}/submit", headers=maker).json()["status"]
        == "submitted"
    )
    refused = client.post(
        f"{API}/factors/versions/{version}/review",
        json={"publish": True, "checklist": dict.fromkeys(CHECKLIST, True)},
        headers=maker,
    )
    assert refused.status_code == 403
    published = client.post(
        f"{API}/factors/versions/{version}/review",
        json={"publish": True, "checklist": dict.fromkeys(CHECKLIST, True)},
        headers=reviewer,
    )
    assert published.status_code == 200, published.text
    seen = client.get(f"{API}/factors/versions/{version}", headers=other)
    assert seen.status_code == 200
    assert seen.json()["status"] == "published"
    assert seen.json()["data"]["value"] == 55.0


def test_a_bad_record_is_422_naming_the_field(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform)
    maker = token_headers(platform, client, demo["cq-battery"].organisation_id)
    bad = RECORD | {"geography": "Chongqing", "unit": "bananas"}
    response = client.post(f"{API}/factors", json=bad, headers=maker)
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"geography", "unit"}


def test_the_review_queue_contributions_and_review_record_over_http(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform)
    maker = token_headers(platform, client, demo["cq-battery"].organisation_id)
    reviewer = token_headers(platform, client, demo["operator"].organisation_id)
    other = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    version = client.post(f"{API}/factors", json=RECORD, headers=maker).json()["id"]
    client.post(f"{API}/factors/versions/{version}/submit", headers=maker)

    queue = client.get(f"{API}/factors/review-queue", headers=reviewer)
    assert queue.status_code == 200
    assert [v["id"] for v in queue.json()["data"]] == [version]
    assert client.get(f"{API}/factors/review-queue", headers=maker).status_code == 403
    rejected = client.post(
        f"{API}/factors/versions/{version}/review",
        json={"publish": False, "reasons": "Table 3 of the study gives 52.0, not 55.0."},
        headers=reviewer,
    )
    assert rejected.json()["status"] == "rejected"
    assert client.get(f"{API}/factors/review-queue", headers=reviewer).json()["count"] == 0

    mine = client.get(f"{API}/factors/contributions", headers=maker).json()
    assert [(v["id"], v["status"]) for v in mine["data"]] == [(version, "rejected")]
    assert client.get(f"{API}/factors/contributions", headers=other).json()["count"] == 0
    record = client.get(f"{API}/factors/versions/{version}/reviews", headers=maker)
    assert record.status_code == 200
    assert record.json()[0]["reasons"] == "Table 3 of the study gives 52.0, not 55.0."
    assert record.json()[0]["decision"] == "rejected"
    hidden = client.get(f"{API}/factors/versions/{version}/reviews", headers=other)
    assert hidden.status_code == 404


def test_export_serves_each_format_and_leaves_out_unlicensed_values(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    contributor, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    shared = record(key="cq.export.open", value=1.5)
    secret = record(key="cq.export.secret", value=9.75, licence=PROPRIETARY)
    with platform.unit_of_work() as uow:
        for data in (shared, secret):
            publish(uow, contributor, reviewer, data)
        uow.commit()
    client = make_client(platform)
    laptop = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    battery = token_headers(platform, client, demo["cq-battery"].organisation_id)
    for kind in ("csv", "xlsx", "json"):
        response = client.get(
            f"{API}/factors/export", params={"q": "export", "format": kind}, headers=laptop
        )
        assert response.status_code == 200, response.text
        assert (response.headers["x-total-count"], response.headers["x-withheld-count"]) == (
            "2",
            "1",
        )
        path = tmp_path / f"laptop.{kind}"
        path.write_bytes(response.content)
        assert read_factors(path) == [shared]  # lossless, and without the proprietary one
    own = client.get(
        f"{API}/factors/export", params={"q": "export", "format": "json"}, headers=battery
    )
    path = tmp_path / "own.json"
    path.write_bytes(own.content)
    assert sorted(f.lineage_key for f in read_factors(path)) == [
        "cq.export.open",
        "cq.export.secret",
    ]
    assert own.headers["x-withheld-count"] == "0"
    bad = client.get(f"{API}/factors/export", params={"format": "pdf"}, headers=laptop)
    assert bad.status_code == 422


def test_import_a_file_over_http_all_or_nothing(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    client = make_client(platform)
    maker = token_headers(platform, client, demo["cq-battery"].organisation_id)
    good = export_bytes([record(key="cq.import.a"), record(key="cq.import.b")], "xlsx")
    created = client.post(
        f"{API}/factors/import", files={"file": ("mine.xlsx", good)}, data={"submit": "true"},
        headers=maker,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert [(v["lineage_key"], v["status"]) for v in created.json()] == [
        ("cq.import.a", "submitted"),
        ("cq.import.b", "submitted"),
    ]
    bad = export_bytes([record(key="cq.import.c")], "json").replace(b'"CN-CQ"', b'"Chongqing"')
    refused = client.post(
        f"{API}/factors/import", files={"file": ("more.json", bad)}, headers=maker
    )
    assert refused.status_code == 422
    assert "more.json, factor 1, field geography" in refused.json()["detail"]
    empty = client.post(f"{API}/factors/import", files={"file": ("none.csv", b"")}, headers=maker)
    assert empty.status_code == 422
    mine = client.get(f"{API}/factors/contributions", headers=maker).json()
    assert mine["count"] == 2  # the refused files wrote nothing
