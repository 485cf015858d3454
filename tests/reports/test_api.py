"""Reports through the HTTP API: issue, list, read, download, preview, verify; bad input is a
4xx problem, never a 500."""

from __future__ import annotations

import hashlib
import uuid

from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.reports.verify import check
from tests.platform.conftest import API, make_client, token_headers


def test_issue_download_and_verify_over_http(
    platform: Platform, demo: dict[str, DemoSignIn], stored_result: uuid.UUID
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    other = token_headers(platform, client, demo["cq-battery"].organisation_id)

    preview = client.get(
        f"{API}/reports/preview",
        params={"result_id": str(stored_result), "language": "en", "format": "pdf"},
        headers=owner,
    )
    assert preview.status_code == 200, preview.text
    assert preview.headers["content-type"] == "application/pdf"
    assert client.get(f"{API}/reports", headers=owner).json()["count"] == 0  # nothing stored

    issued = client.post(
        f"{API}/reports", json={"result_id": str(stored_result), "language": "en"}, headers=owner
    )
    assert issued.status_code == 201, issued.text
    report = issued.json()
    listed = client.get(f"{API}/reports", params={"result_id": str(stored_result)}, headers=owner)
    assert [r["id"] for r in listed.json()["data"]] == [report["id"]]
    assert client.get(f"{API}/reports/{report['id']}", headers=owner).json() == report
    pdf = client.get(f"{API}/reports/{report['id']}/pdf", headers=owner)
    html = client.get(f"{API}/reports/{report['id']}/html", headers=owner)
    assert hashlib.sha256(pdf.content).hexdigest() == report["pdf_sha256"]
    assert hashlib.sha256(html.content).hexdigest() == report["html_sha256"]
    assert "attachment" in pdf.headers["content-disposition"]

    # Anyone, signed in or not, verifies the document they hold.
    anonymous = make_client(platform)
    by_file = anonymous.post(
        f"{API}/reports/verify", files={"file": ("report.pdf", pdf.content, "application/pdf")}
    )
    assert by_file.status_code == 200, by_file.text
    proof = by_file.json()
    assert proof["verified"] is True
    assert proof["format"] == "pdf"
    keys = anonymous.get(f"{API}/ledger/keys").json()
    assert check(pdf.content, proof, keys[proof["tree_head"]["key_id"]].encode()) == []
    by_hash = anonymous.post(f"{API}/reports/verify/hash", json={"sha256": report["html_sha256"]})
    assert by_hash.json()["format"] == "html"
    assert check(html.content, by_hash.json(), keys[proof["tree_head"]["key_id"]].encode()) == []
    forged = anonymous.post(
        f"{API}/reports/verify", files={"file": ("x.pdf", pdf.content + b"\n", "application/pdf")}
    )
    assert forged.status_code == 404
    assert forged.headers["content-type"].startswith("application/problem+json")

    # Another organisation sees none of it and cannot issue from the result.
    assert client.get(f"{API}/reports/{report['id']}", headers=other).status_code == 404
    assert client.get(f"{API}/reports/{report['id']}/pdf", headers=other).status_code == 404
    assert client.get(f"{API}/reports", headers=other).json()["count"] == 0
    refused = client.post(
        f"{API}/reports", json={"result_id": str(stored_result), "language": "zh"}, headers=other
    )
    assert refused.status_code == 404


def test_bad_input_is_a_problem_not_a_crash(
    platform: Platform, demo: dict[str, DemoSignIn], stored_result: uuid.UUID
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    owner = token_headers(platform, client, demo["cq-laptop"].organisation_id)
    french = {"result_id": str(stored_result), "language": "fr"}
    for response in (
        client.post(f"{API}/reports", json=french, headers=owner),
        client.post(f"{API}/reports", json={"result_id": "not-an-id"}, headers=owner),
        client.post(f"{API}/reports", json={"result_id": str(uuid.uuid4())}, headers=owner),
        client.get(f"{API}/reports/preview", params={"format": "doc"}, headers=owner),
        client.get(f"{API}/reports/{uuid.uuid4()}/pdf", headers=owner),
        client.post(f"{API}/reports/verify/hash", json={"sha256": "xyz"}),
        client.post(f"{API}/reports/verify"),
        client.post(f"{API}/reports", json={"result_id": str(stored_result)}),  # no credentials
    ):  # fmt: skip
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
