"""Ed25519 signed tree heads: the log's signed statement of its size and root hash."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from pcfhub.errors import InvalidInputError, InvalidSignatureError
from pcfhub.ledger.canonical import canonical_json
from pcfhub.ledger.merkle import HASH_SIZE

LOG_NAME = "pcfhub"
TREE_HEAD_VERSION = 1
SIGNATURE_SIZE = 64
_KEY_ID = re.compile(r"[0-9a-f]{64}")
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


def generate_private_key() -> Ed25519PrivateKey:
    """A new random Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def private_key_to_pem(key: Ed25519PrivateKey) -> bytes:
    """PKCS #8 PEM, unencrypted: protect the file, not the bytes."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(pem: bytes) -> Ed25519PrivateKey:
    """Read an unencrypted PKCS #8 PEM Ed25519 private key."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise InvalidInputError(
            f"Not an unencrypted PEM private key: {error}. Give the PKCS #8 file the log wrote."
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInputError(
            f"The PEM holds a {type(key).__name__}; the ledger signs with Ed25519 keys only."
        )
    return key


def public_key_to_pem(public_key: Ed25519PublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM."""
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Read a SubjectPublicKeyInfo PEM Ed25519 public key."""
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise InvalidInputError(f"Not a PEM public key: {error}.") from error
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInputError(
            f"The PEM holds a {type(key).__name__}; the ledger verifies Ed25519 keys only."
        )
    return key


def key_id(public_key: Ed25519PublicKey) -> str:
    """Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo, like an RFC 6962 log id."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


@dataclass(frozen=True)
class SignedTreeHead:
    """The log's signed statement: ``tree_size`` leaves have root ``root_hash``.

    Built as given, so that an edited stored head can still be loaded and fail
    ``verify_tree_head``; ``from_json`` and ``sign_tree_head`` check every field.
    """

    tree_size: int
    root_hash: bytes
    timestamp_ms: int
    key_id: str
    signature: bytes

    def payload(self) -> bytes:
        """The canonical JSON bytes that the signature covers."""
        return tree_head_payload(
            tree_size=self.tree_size,
            root_hash=self.root_hash,
            timestamp_ms=self.timestamp_ms,
            key_id=self.key_id,
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON object; bytes as lowercase hex. ``from_json`` reads it back."""
        return {
            "tree_size": self.tree_size,
            "root_hash": bytes(self.root_hash).hex(),
            "timestamp_ms": self.timestamp_ms,
            "key_id": self.key_id,
            "signature": bytes(self.signature).hex(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SignedTreeHead:
        """Read ``to_json`` output; InvalidInputError names a missing, extra or bad field."""
        if not isinstance(data, dict):
            raise InvalidInputError(
                f"A signed tree head is a JSON object, not a {type(data).__name__}."
            )
        fields = ("tree_size", "root_hash", "timestamp_ms", "key_id", "signature")
        missing = [name for name in fields if name not in data]
        if missing:
            raise InvalidInputError(f"Signed tree head lacks field(s): {', '.join(missing)}.")
        extra = sorted(str(name) for name in data if name not in fields)
        if extra:
            raise InvalidInputError(f"Signed tree head has unknown field(s): {', '.join(extra)}.")
        head = cls(
            tree_size=data["tree_size"],
            root_hash=_from_hex(data["root_hash"], "root_hash"),
            timestamp_ms=data["timestamp_ms"],
            key_id=data["key_id"],
            signature=_from_hex(data["signature"], "signature"),
        )
        _require_count(head.tree_size, "tree_size")
        _require_bytes(head.root_hash, HASH_SIZE, "root_hash")
        _require_count(head.timestamp_ms, "timestamp_ms")
        if not isinstance(head.key_id, str) or not _KEY_ID.fullmatch(head.key_id):
            raise InvalidInputError(
                f"Signed tree head field key_id must be 64 lowercase hex digits, "
                f"not {head.key_id!r}."
            )
        _require_bytes(head.signature, SIGNATURE_SIZE, "signature")
        return head


def tree_head_payload(*, tree_size: int, root_hash: bytes, timestamp_ms: int, key_id: str) -> bytes:
    """Canonical JSON of what a tree head states, with the log name and format version."""
    return canonical_json(
        {
            "log": LOG_NAME,
            "version": TREE_HEAD_VERSION,
            "tree_size": tree_size,
            "root_hash": bytes(root_hash).hex(),
            "timestamp": timestamp_ms,
            "key_id": key_id,
        }
    )


def sign_tree_head(
    private_key: Ed25519PrivateKey, *, tree_size: int, root_hash: bytes, timestamp_ms: int
) -> SignedTreeHead:
    """Sign the statement that the log of ``tree_size`` leaves has root ``root_hash``."""
    _require_count(tree_size, "tree_size")
    _require_bytes(root_hash, HASH_SIZE, "root_hash")
    _require_count(timestamp_ms, "timestamp_ms")
    kid = key_id(private_key.public_key())
    payload = tree_head_payload(
        tree_size=tree_size, root_hash=root_hash, timestamp_ms=timestamp_ms, key_id=kid
    )
    return SignedTreeHead(
        tree_size=tree_size,
        root_hash=bytes(root_hash),
        timestamp_ms=timestamp_ms,
        key_id=kid,
        signature=private_key.sign(payload),
    )


def verify_tree_head(head: SignedTreeHead, public_key: Ed25519PublicKey) -> None:
    """Raise InvalidSignatureError unless ``public_key`` signed exactly this tree head.

    A malformed head (a field edited to the wrong type or length) fails the same way.
    """
    expected = key_id(public_key)
    if head.key_id != expected:
        raise InvalidSignatureError(
            f"Tree head of size {head.tree_size} names key {head.key_id!r}, "
            f"but the public key given has id {expected}."
        )
    try:
        payload = head.payload()
        signature = bytes(head.signature)
    except (InvalidInputError, TypeError, ValueError, AttributeError) as error:
        raise InvalidSignatureError(
            f"Tree head of size {head.tree_size!r} is malformed and cannot be checked: {error}"
        ) from error
    try:
        public_key.verify(signature, payload)
    except InvalidSignature as error:
        raise InvalidSignatureError(
            f"Signature of the tree head of size {head.tree_size} (root "
            f"{bytes(head.root_hash).hex()}, timestamp {head.timestamp_ms}) does not verify "
            f"with key {expected}."
        ) from error


def _require_count(value: Any, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInputError(
            f"Signed tree head field {field} must be a non-negative integer, not {value!r}."
        )


def _require_bytes(value: Any, size: int, field: str) -> None:
    if not isinstance(value, bytes) or len(value) != size:
        got = f"{len(value)} bytes" if isinstance(value, bytes) else type(value).__name__
        raise InvalidInputError(f"Signed tree head field {field} must be {size} bytes, not {got}.")


def _from_hex(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise InvalidInputError(
            f"Signed tree head field {field} must be a hex string, not {type(value).__name__}."
        )
    if not _HEX.fullmatch(value):
        raise InvalidInputError(f"Signed tree head field {field} is not hex: {value!r}.")
    return bytes.fromhex(value)
