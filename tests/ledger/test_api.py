"""The ledger API checked as a third party would: signed heads verified with the published
key, inclusion and consistency proofs verified with `pcfhub.ledger.merkle` alone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pcfhub.errors import InvalidProofError, InvalidSignatureError
from pcfhub.ledger import merkle
from pcfhub.ledger import service as ledger
from pcfhub.ledger.signing import SignedTreeHead, load_public_key, verify_tree_head
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.platform.conftest import (
    API,
    assert_problem,
    demo_by_slug,
    make_client,
    token_headers,
)

LEDGER = f"{API}/ledger"


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    return demo_by_slug(platform)


@pytest.fixture
def client(platform: Platform) -> TestClient:
    return make_client(platform)


@pytest.fixture
def battery(platform: Platform, client: TestClient, demo: dict[str, DemoSignIn]) -> dict[str, str]:
    return token_headers(platform, client, demo["cq-battery"].organisation_id)


@pytest.fixture
def laptop(platform: Platform, client: TestClient, demo: dict[str, DemoSignIn]) -> dict[str, str]:
    return token_headers(platform, client, demo["cq-laptop"].organisation_id)


@pytest.fixture
def heads(client: TestClient, battery: dict[str, str]) -> list[int]:
    """Sizes of successive signed heads: after the demo, then after each of three grants."""
    sizes = [client.get(f"{LEDGER}/head").json()["tree_size"]]
    for n in range(3):
        created = client.post(
            f"{API}/grants",
            json={
                "grantee": "verifier",
                "object_kind": "study",
                "object_id": f"study-{n}",
                "purpose": "Verification",
                "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
            },
            headers=battery,
        )
        assert created.status_code == 201, created.text
        sizes.append(client.get(f"{LEDGER}/head").json()["tree_size"])
    assert sizes == sorted(set(sizes)), sizes  # every change signed a bigger head
    return sizes


def verified_head(client: TestClient, url: str) -> SignedTreeHead:
    """A head from the API, its signature checked with the key the API publishes."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    head = SignedTreeHead.from_json(response.json())
    keys = client.get(f"{LEDGER}/keys").json()
    verify_tree_head(head, load_public_key(keys[head.key_id].encode()))
    return head


def inclusion(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(f"{LEDGER}/proof/inclusion", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def consistency(client: TestClient, first: int, second: int) -> list[bytes]:
    response = client.get(f"{LEDGER}/proof/consistency", params={"first": first, "second": second})
    assert response.status_code == 200, response.text
    assert (response.json()["first"], response.json()["second"]) == (first, second)
    return [bytes.fromhex(h) for h in response.json()["proof"]]


def flip(hex_digest: str, at: int = 7) -> str:
    return hex_digest[:at] + ("0" if hex_digest[at] != "0" else "1") + hex_digest[at + 1 :]


def test_latest_head_is_signed_by_a_published_key(
    platform: Platform, client: TestClient, heads: list[int]
) -> None:
    head = verified_head(client, f"{LEDGER}/head")
    assert head.tree_size == heads[-1]
    with platform.unit_of_work() as uow:
        assert head.tree_size == ledger.size(uow.session)
        assert head.root_hash == merkle.root_hash(
            [ledger.get_entry(uow.session, i).leaf_hash for i in range(head.tree_size)]
        )

    keys = client.get(f"{LEDGER}/keys").json()
    assert list(keys) == [head.key_id]
    key = load_public_key(keys[head.key_id].encode())
    for forged in (
        SignedTreeHead(
            head.tree_size + 1, head.root_hash, head.timestamp_ms, head.key_id, head.signature
        ),
        SignedTreeHead(head.tree_size, bytes(32), head.timestamp_ms, head.key_id, head.signature),
        SignedTreeHead(
            head.tree_size, head.root_hash, head.timestamp_ms + 1, head.key_id, head.signature
        ),
    ):
        with pytest.raises(InvalidSignatureError):
            verify_tree_head(forged, key)


def test_older_heads_are_served_and_signed(client: TestClient, heads: list[int]) -> None:
    for size in heads:
        assert verified_head(client, f"{LEDGER}/heads/{size}").tree_size == size


def test_inclusion_proofs_by_index_and_by_leaf_hash_verify(
    client: TestClient, heads: list[int]
) -> None:
    head = verified_head(client, f"{LEDGER}/head")
    for index in sorted({0, 1, head.tree_size // 2, head.tree_size - 2, head.tree_size - 1}):
        by_index = inclusion(client, tree_size=head.tree_size, index=index)
        assert (by_index["index"], by_index["tree_size"]) == (index, head.tree_size)
        merkle.verify_inclusion(
            leaf_hash=bytes.fromhex(by_index["leaf_hash"]),
            index=index,
            tree_size=head.tree_size,
            proof=[bytes.fromhex(h) for h in by_index["audit_path"]],
            root_hash=head.root_hash,
        )
        by_hash = inclusion(client, tree_size=head.tree_size, leaf_hash=by_index["leaf_hash"])
        assert by_hash == by_index


def test_inclusion_in_an_older_head_verifies_against_its_root(
    client: TestClient, heads: list[int]
) -> None:
    old = verified_head(client, f"{LEDGER}/heads/{heads[0]}")
    proof = inclusion(client, tree_size=old.tree_size, index=old.tree_size - 1)
    merkle.verify_inclusion(
        leaf_hash=bytes.fromhex(proof["leaf_hash"]),
        index=old.tree_size - 1,
        tree_size=old.tree_size,
        proof=[bytes.fromhex(h) for h in proof["audit_path"]],
        root_hash=old.root_hash,
    )


def test_an_entry_hashes_to_the_leaf_its_proof_starts_from(
    client: TestClient, battery: dict[str, str], heads: list[int]
) -> None:
    """A third party given an entry's text hashes it themselves and checks it is logged."""
    head = verified_head(client, f"{LEDGER}/head")
    newest = client.get(f"{LEDGER}/entries", params={"limit": 1}, headers=battery).json()
    entry = newest["data"][0]
    assert entry["index"] == head.tree_size - 1  # the last grant is the battery maker's
    hashed = merkle.leaf_hash(entry["canonical"].encode())
    assert hashed.hex() == entry["leaf_hash"]
    proof = inclusion(client, tree_size=head.tree_size, leaf_hash=hashed.hex())
    merkle.verify_inclusion(
        leaf_hash=hashed,
        index=proof["index"],
        tree_size=head.tree_size,
        proof=[bytes.fromhex(h) for h in proof["audit_path"]],
        root_hash=head.root_hash,
    )
    assert entry["entry"]["action"] == "grant.created"


def test_consistency_proofs_between_signed_heads_verify(
    client: TestClient, heads: list[int]
) -> None:
    latest = verified_head(client, f"{LEDGER}/head")
    signed = [verified_head(client, f"{LEDGER}/heads/{size}") for size in heads]
    for old in signed:
        for new in [*signed, latest]:
            if new.tree_size < old.tree_size:
                continue
            merkle.verify_consistency(
                old_size=old.tree_size,
                new_size=new.tree_size,
                old_root=old.root_hash,
                new_root=new.root_hash,
                proof=consistency(client, old.tree_size, new.tree_size),
            )


def test_corrupted_proofs_fail_verification(client: TestClient, heads: list[int]) -> None:
    head = verified_head(client, f"{LEDGER}/head")
    old = verified_head(client, f"{LEDGER}/heads/{heads[0]}")
    proof = inclusion(client, tree_size=head.tree_size, index=1)
    path = proof["audit_path"]
    assert path
    for corrupted in ([flip(path[0]), *path[1:]], [*path[:-1], flip(path[-1], at=63)], path[:-1]):
        with pytest.raises(InvalidProofError):
            merkle.verify_inclusion(
                leaf_hash=bytes.fromhex(proof["leaf_hash"]),
                index=1,
                tree_size=head.tree_size,
                proof=[bytes.fromhex(h) for h in corrupted],
                root_hash=head.root_hash,
            )
    with pytest.raises(InvalidProofError):  # the right path for another leaf
        merkle.verify_inclusion(
            leaf_hash=bytes.fromhex(flip(proof["leaf_hash"])),
            index=1,
            tree_size=head.tree_size,
            proof=[bytes.fromhex(h) for h in path],
            root_hash=head.root_hash,
        )

    good = consistency(client, old.tree_size, head.tree_size)
    assert good
    for n in range(len(good)):
        corrupted = [bytes.fromhex(flip(h.hex())) if i == n else h for i, h in enumerate(good)]
        with pytest.raises(InvalidProofError):
            merkle.verify_consistency(
                old_size=old.tree_size,
                new_size=head.tree_size,
                old_root=old.root_hash,
                new_root=head.root_hash,
                proof=corrupted,
            )


def test_entries_list_only_the_callers_organisation(
    platform: Platform,
    client: TestClient,
    demo: dict[str, DemoSignIn],
    battery: dict[str, str],
    laptop: dict[str, str],
    heads: list[int],
) -> None:
    for slug, headers in (("cq-battery", battery), ("cq-laptop", laptop)):
        organisation_id = demo[slug].organisation_id
        listed = client.get(f"{LEDGER}/entries", params={"limit": 200}, headers=headers).json()
        with platform.unit_of_work() as uow:
            _, expected = ledger.list_entries(uow.session, organisation_id=organisation_id)
        assert listed["count"] == expected == len(listed["data"]) > 0
        assert {e["entry"]["organisation"] for e in listed["data"]} == {str(organisation_id)}
        indices = [e["index"] for e in listed["data"]]
        assert indices == sorted(indices, reverse=True)  # newest first

    battery_entries = client.get(f"{LEDGER}/entries", params={"limit": 200}, headers=battery)
    laptop_entries = client.get(f"{LEDGER}/entries", params={"limit": 200}, headers=laptop)
    theirs = {e["index"] for e in battery_entries.json()["data"]}
    assert theirs.isdisjoint(e["index"] for e in laptop_entries.json()["data"])

    page = client.get(f"{LEDGER}/entries", params={"offset": 1, "limit": 2}, headers=battery)
    assert page.json()["count"] == battery_entries.json()["count"]
    assert page.json()["data"] == battery_entries.json()["data"][1:3]

    for index in sorted(theirs)[:3]:
        mine = client.get(f"{LEDGER}/entries/{index}", headers=battery)
        assert mine.status_code == 200
        assert mine.json()["index"] == index
        assert_problem(client.get(f"{LEDGER}/entries/{index}", headers=laptop), 404)
    assert_problem(client.get(f"{LEDGER}/entries/{min(theirs)}"), 401)
    assert_problem(client.get(f"{LEDGER}/entries"), 401)


HUGE = 10**20  # beyond any 64-bit integer column


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/proof/inclusion", {"tree_size": "{size}", "index": 0, "leaf_hash": "{leaf}"}),
        ("/proof/inclusion", {"tree_size": "{size}"}),
        ("/proof/inclusion", {"index": 0}),
        ("/proof/inclusion", {"tree_size": "{beyond}", "index": 0}),
        ("/proof/inclusion", {"tree_size": 2, "index": 5}),
        ("/proof/inclusion", {"tree_size": 0, "index": 0}),
        ("/proof/inclusion", {"tree_size": "{size}", "index": -1}),
        ("/proof/inclusion", {"tree_size": "{size}", "leaf_hash": "00" * 32}),
        ("/proof/inclusion", {"tree_size": "{size}", "leaf_hash": "XYZ"}),
        ("/proof/inclusion", {"tree_size": "{size}", "leaf_hash": "{LEAF}"}),
        ("/proof/inclusion", {"tree_size": HUGE, "index": 0}),
        ("/proof/inclusion", {"tree_size": "{size}", "index": HUGE}),
        ("/proof/inclusion", {"tree_size": "many", "index": 0}),
        ("/proof/consistency", {"first": 3, "second": 2}),
        ("/proof/consistency", {"first": 1, "second": "{beyond}"}),
        ("/proof/consistency", {"first": 0, "second": "{size}"}),
        ("/proof/consistency", {"first": -1, "second": 2}),
        ("/proof/consistency", {"first": 1}),
        ("/proof/consistency", {"first": 1, "second": HUGE}),
        ("/heads/{beyond}", {}),
        ("/heads/-1", {}),
        ("/heads/abc", {}),
        (f"/heads/{HUGE}", {}),
    ],
)
def test_bad_queries_are_4xx_problems_never_500(
    platform: Platform,
    heads: list[int],
    path: str,
    params: dict[str, Any],
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    head = client.get(f"{LEDGER}/head").json()
    leaf = inclusion(client, tree_size=head["tree_size"], index=0)["leaf_hash"]
    values = {"size": head["tree_size"], "beyond": head["tree_size"] + 5, "leaf": leaf}
    values["LEAF"] = leaf.upper()

    def fill(value: Any) -> Any:
        return value.format(**values) if isinstance(value, str) else value

    response = client.get(
        f"{LEDGER}{fill(path)}", params={name: fill(v) for name, v in params.items()}
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert_problem(response, response.status_code)


@pytest.mark.parametrize("index", ["-1", "999999", str(HUGE), "abc"])
def test_bad_entry_indices_are_4xx_problems_never_500(
    platform: Platform, battery: dict[str, str], index: str
) -> None:
    client = make_client(platform, raise_server_exceptions=False)
    response = client.get(f"{LEDGER}/entries/{index}", headers=battery)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert_problem(response, response.status_code)


def test_equal_sizes_have_an_empty_consistency_proof(client: TestClient, heads: list[int]) -> None:
    head = verified_head(client, f"{LEDGER}/head")
    assert consistency(client, head.tree_size, head.tree_size) == []


def test_a_token_needs_the_ledger_entry_scope_to_read_entries(
    platform: Platform, client: TestClient, demo: dict[str, DemoSignIn]
) -> None:
    organisation = demo["cq-battery"].organisation_id
    narrow = token_headers(platform, client, organisation, scopes=["study:read"])
    assert client.get(f"{LEDGER}/entries", headers=narrow).status_code == 403
    assert client.get(f"{LEDGER}/entries/0", headers=narrow).status_code == 403
    allowed = token_headers(platform, client, organisation, scopes=["ledger_entry:read"])
    listed = client.get(f"{LEDGER}/entries", headers=allowed)
    assert listed.status_code == 200
    assert listed.json()["count"] > 0
