"""Ed25519 signed tree heads: round trips, and every tampered field fails verification."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from pcfhub.errors import InvalidInputError, InvalidSignatureError
from pcfhub.ledger.signing import (
    SignedTreeHead,
    generate_private_key,
    key_id,
    load_private_key,
    load_public_key,
    private_key_to_pem,
    public_key_to_pem,
    sign_tree_head,
    verify_tree_head,
)

ROOT = hashlib.sha256(b"root").digest()
# RFC 8032 §7.1 test 1: a fixed key, so that the key id and signature are reproducible.
SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(SEED)


@pytest.fixture
def head(key: Ed25519PrivateKey) -> SignedTreeHead:
    return sign_tree_head(key, tree_size=42, root_hash=ROOT, timestamp_ms=1_764_000_000_000)


def test_sign_then_verify(key: Ed25519PrivateKey, head: SignedTreeHead) -> None:
    assert head.tree_size == 42
    assert head.root_hash == ROOT
    assert head.timestamp_ms == 1_764_000_000_000
    assert head.key_id == key_id(key.public_key())
    assert len(head.signature) == 64
    verify_tree_head(head, key.public_key())
    # Ed25519 is deterministic: the same statement gives the same signature.
    again = sign_tree_head(key, tree_size=42, root_hash=ROOT, timestamp_ms=1_764_000_000_000)
    assert again == head


def test_payload_is_canonical_json_of_the_statement(head: SignedTreeHead) -> None:
    expected = (
        '{"key_id":"' + head.key_id + '","log":"pcfhub","root_hash":"' + ROOT.hex() + '",'
        '"timestamp":1764000000000,"tree_size":42,"version":1}'
    )
    assert head.payload() == expected.encode("ascii")


@pytest.mark.parametrize(
    "change",
    [
        {"tree_size": 43},
        {"tree_size": 0},
        {"root_hash": hashlib.sha256(b"other").digest()},
        {"timestamp_ms": 1_764_000_000_001},
    ],
    ids=["tree_size+1", "tree_size=0", "root_hash", "timestamp"],
)
def test_tampered_statement_fails(
    key: Ed25519PrivateKey, head: SignedTreeHead, change: dict[str, object]
) -> None:
    tampered = dataclasses.replace(head, **change)
    with pytest.raises(InvalidSignatureError, match="does not verify"):
        verify_tree_head(tampered, key.public_key())


@pytest.mark.parametrize("byte", [0, 31, 63])
def test_tampered_signature_fails(key: Ed25519PrivateKey, head: SignedTreeHead, byte: int) -> None:
    signature = bytearray(head.signature)
    signature[byte] ^= 0x01
    tampered = dataclasses.replace(head, signature=bytes(signature))
    with pytest.raises(InvalidSignatureError):
        verify_tree_head(tampered, key.public_key())


def test_malformed_stored_head_fails_verification(
    key: Ed25519PrivateKey, head: SignedTreeHead
) -> None:
    # A head built from an edited database row must fail verification, not crash it.
    for change in ({"signature": head.signature[:63]}, {"tree_size": float("nan")}):
        with pytest.raises(InvalidSignatureError):
            verify_tree_head(dataclasses.replace(head, **change), key.public_key())


def test_other_key_fails(head: SignedTreeHead) -> None:
    other = generate_private_key().public_key()
    with pytest.raises(InvalidSignatureError, match="names key"):
        verify_tree_head(head, other)
    # Even when the head claims the other key's id, the signature does not match it.
    relabelled = dataclasses.replace(head, key_id=key_id(other))
    with pytest.raises(InvalidSignatureError, match="does not verify"):
        verify_tree_head(relabelled, other)


def test_key_id_is_sha256_of_the_subject_public_key_info(key: Ed25519PrivateKey) -> None:
    public = key.public_key()
    assert public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) == (
        PUBLIC
    )
    # DER SubjectPublicKeyInfo of an Ed25519 key: a fixed 12-byte prefix (RFC 8410), then the key.
    der = bytes.fromhex("302a300506032b6570032100") + PUBLIC
    assert key_id(public) == hashlib.sha256(der).hexdigest()
    assert key_id(public) == key_id(load_public_key(public_key_to_pem(public)))
    assert len(key_id(public)) == 64
    assert key_id(generate_private_key().public_key()) != key_id(public)


def test_pem_round_trip() -> None:
    key = generate_private_key()
    pem = private_key_to_pem(key)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    loaded = load_private_key(pem)
    assert private_key_to_pem(loaded) == pem
    public_pem = public_key_to_pem(key.public_key())
    assert public_pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    public = load_public_key(public_pem)
    head = sign_tree_head(loaded, tree_size=1, root_hash=ROOT, timestamp_ms=0)
    verify_tree_head(head, public)


def test_loading_garbage_or_other_kinds_of_key_is_refused() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_private_pem = ec_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    ec_public_pem = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    encrypted = generate_private_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    with pytest.raises(InvalidInputError, match="Ed25519"):
        load_private_key(ec_private_pem)
    with pytest.raises(InvalidInputError, match="Ed25519"):
        load_public_key(ec_public_pem)
    with pytest.raises(InvalidInputError, match="unencrypted"):
        load_private_key(encrypted)
    with pytest.raises(InvalidInputError):
        load_private_key(b"not a key")
    with pytest.raises(InvalidInputError):
        load_public_key(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    # A private key where a public one is expected.
    with pytest.raises(InvalidInputError):
        load_public_key(private_key_to_pem(generate_private_key()))


def test_json_round_trip(key: Ed25519PrivateKey, head: SignedTreeHead) -> None:
    data = json.loads(json.dumps(head.to_json()))
    assert data == {
        "tree_size": 42,
        "root_hash": ROOT.hex(),
        "timestamp_ms": 1_764_000_000_000,
        "key_id": head.key_id,
        "signature": head.signature.hex(),
    }
    restored = SignedTreeHead.from_json(data)
    assert restored == head
    verify_tree_head(restored, key.public_key())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tree_size": -1}, "tree_size"),
        ({"tree_size": True}, "tree_size"),
        ({"tree_size": "42"}, "tree_size"),
        ({"root_hash": "ab" * 31}, "root_hash"),
        ({"root_hash": "zz" * 32}, "root_hash"),
        ({"root_hash": None}, "root_hash"),
        ({"timestamp_ms": 1.5}, "timestamp_ms"),
        ({"key_id": "AB" * 32}, "key_id"),
        ({"key_id": "ab"}, "key_id"),
        ({"signature": "00" * 63}, "signature"),
        ({"signature": "0 " * 64}, "signature"),
        ({"extra": 1}, "extra"),
    ],
)
def test_from_json_names_the_bad_field(
    head: SignedTreeHead, change: dict[str, object], field: str
) -> None:
    data = {**head.to_json(), **change}
    with pytest.raises(InvalidInputError, match=field):
        SignedTreeHead.from_json(data)


def test_from_json_names_missing_fields(head: SignedTreeHead) -> None:
    data = head.to_json()
    del data["signature"], data["timestamp_ms"]
    with pytest.raises(InvalidInputError, match="lacks field.*timestamp_ms, signature"):
        SignedTreeHead.from_json(data)
    with pytest.raises(InvalidInputError, match="JSON object"):
        SignedTreeHead.from_json([head.to_json()])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tree_size": -1}, "tree_size"),
        ({"root_hash": ROOT[:31]}, "root_hash"),
        ({"timestamp_ms": None}, "timestamp_ms"),
    ],
)
def test_signing_refuses_bad_statements(
    key: Ed25519PrivateKey, change: dict[str, object], field: str
) -> None:
    statement = {"tree_size": 1, "root_hash": ROOT, "timestamp_ms": 0, **change}
    with pytest.raises(InvalidInputError, match=field):
        sign_tree_head(key, **statement)  # type: ignore[arg-type]
