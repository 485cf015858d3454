"""The Merkle tree of RFC 9162 §2.1 (the same tree as RFC 6962) with SHA-256.

Leaves are hashed with a 0x00 prefix and interior nodes with 0x01, so a leaf can never pass
for a node. Trees of any size are built by splitting at the largest power of two below the
size. The verifiers need nothing but their arguments: a third party runs them as they are.
Edge cases follow the transparency-dev/merkle Go library.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from pcfhub.errors import InvalidInputError, InvalidProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF = b"\x00"
_NODE = b"\x01"
_sha256 = hashlib.sha256


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry): the hash of one log entry."""
    return _sha256(_LEAF + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right): the hash of an interior node."""
    return _sha256(_NODE + left + right).digest()


def root_hash(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of a tree whose leaves are already hashed; EMPTY_ROOT for no leaves."""
    return _subtree_root(leaf_hashes, 0, len(leaf_hashes))


def _subtree_root(leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    """MTH of leaves [start, end), level by level.

    Pairing neighbours left to right and lifting a lone last node unchanged builds the same
    tree as the RFC's split at the largest power of two.
    """
    if end <= start:
        return EMPTY_ROOT
    if end - start == 1:
        return leaf_hashes[start]
    level = [
        _sha256(_NODE + leaf_hashes[i] + leaf_hashes[i + 1]).digest()
        for i in range(start, end - 1, 2)
    ]
    if (end - start) % 2:
        level.append(leaf_hashes[end - 1])
    while len(level) > 1:
        upper = [
            _sha256(_NODE + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
    return level[0]


def _split(size: int) -> int:
    """The largest power of two strictly below ``size`` (size ≥ 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int, tree_size: int) -> list[bytes]:
    """PATH(index, D[0:tree_size]) of RFC 9162 §2.1.3.1, bottom-most sibling first."""
    if not 0 <= tree_size <= len(leaf_hashes):
        raise InvalidInputError(
            f"Tree size {tree_size} is out of range: the log holds {len(leaf_hashes)} leaves."
        )
    if not 0 <= index < tree_size:
        raise InvalidInputError(
            f"Leaf index {index} is out of range for a tree of size {tree_size}."
        )
    outer_first: list[bytes] = []
    start, end, m = 0, tree_size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            outer_first.append(_subtree_root(leaf_hashes, start + k, end))
            end = start + k
        else:
            outer_first.append(_subtree_root(leaf_hashes, start, start + k))
            start += k
            m -= k
    return outer_first[::-1]


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) of RFC 9162 §2.1.4.1; empty when the sizes are equal.

    A proof from the empty tree is meaningless (every tree extends it), so old_size must be
    at least 1, as in RFC 9162 and transparency-dev/merkle.
    """
    if not 0 <= new_size <= len(leaf_hashes):
        raise InvalidInputError(
            f"New tree size {new_size} is out of range: the log holds {len(leaf_hashes)} leaves."
        )
    if not 0 < old_size <= new_size:
        raise InvalidInputError(
            f"Old tree size {old_size} is out of range: need 1 ≤ old size ≤ new size "
            f"{new_size}; a proof from the empty tree is meaningless."
        )
    outer_first: list[bytes] = []
    start, end, m, whole = 0, new_size, old_size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            outer_first.append(_subtree_root(leaf_hashes, start + k, end))
            end = start + k
        else:
            outer_first.append(_subtree_root(leaf_hashes, start, start + k))
            start += k
            m -= k
            whole = False
    head = [] if whole else [_subtree_root(leaf_hashes, start, end)]
    return head + outer_first[::-1]


def _check_proof_hashes(proof: Sequence[bytes], kind: str) -> None:
    for i, item in enumerate(proof):
        if len(item) != HASH_SIZE:
            raise InvalidProofError(
                f"{kind} proof hash {i} is {len(item)} bytes long, not {HASH_SIZE}."
            )


def _inclusion_proof_size(index: int, size: int) -> tuple[int, int]:
    """Hashes below and above the point where the paths to ``index`` and ``size - 1`` meet."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def verify_inclusion(
    *, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``tree_size`` with ``root_hash``.

    RFC 9162 §2.1.3.2. Raises InvalidProofError saying what failed.
    """
    if index < 0:
        raise InvalidProofError(f"Leaf index {index} is negative.")
    if index >= tree_size:
        raise InvalidProofError(f"Leaf index {index} is beyond tree size {tree_size}.")
    if len(leaf_hash) != HASH_SIZE:
        raise InvalidProofError(f"Leaf hash is {len(leaf_hash)} bytes long, not {HASH_SIZE}.")
    inner, border = _inclusion_proof_size(index, tree_size)
    if len(proof) != inner + border:
        raise InvalidProofError(
            f"Inclusion proof has {len(proof)} hashes; leaf {index} of a tree of size "
            f"{tree_size} needs {inner + border}."
        )
    _check_proof_hashes(proof, "Inclusion")
    fn, sn, r = index, tree_size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            raise InvalidProofError(f"Inclusion proof for leaf {index} has hashes beyond the root.")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root_hash:
        raise InvalidProofError(
            f"Inclusion proof for leaf {index} of tree size {tree_size} leads to root "
            f"{r.hex()}, not the expected {bytes(root_hash).hex()}."
        )


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the one of ``old_size``.

    RFC 9162 §2.1.4.2. Equal sizes need an empty proof and equal roots. An old size of 0 is
    refused, as in transparency-dev/merkle: the empty tree has nothing to prove, so a caller
    that accepts any first tree head must do so before calling. Raises InvalidProofError.
    """
    if not 0 <= old_size <= new_size:
        raise InvalidProofError(
            f"Old tree size {old_size} must not be negative or beyond new tree size {new_size}."
        )
    if old_size == 0:
        raise InvalidProofError(
            "A consistency proof from the empty tree (old size 0) is meaningless; "
            "accept the first tree head without one."
        )
    if old_size == new_size:
        if proof:
            raise InvalidProofError(
                f"Tree sizes are equal ({old_size}) but the proof has {len(proof)} hashes; "
                "it must be empty."
            )
        if old_root != new_root:
            raise InvalidProofError(
                f"Tree sizes are equal ({old_size}) but the roots differ: "
                f"{bytes(old_root).hex()} and {bytes(new_root).hex()}."
            )
        return
    if not proof:
        raise InvalidProofError(
            f"Consistency proof from tree size {old_size} to {new_size} is empty."
        )
    inner, border = _inclusion_proof_size(old_size - 1, new_size)
    shift = (old_size & -old_size).bit_length() - 1
    inner -= shift
    seeded = old_size == 1 << shift
    expected = (0 if seeded else 1) + inner + border
    if len(proof) != expected:
        raise InvalidProofError(
            f"Consistency proof from tree size {old_size} to {new_size} has {len(proof)} "
            f"hashes; it needs {expected}."
        )
    _check_proof_hashes(proof, "Consistency")
    path = [old_root, *proof] if seeded else list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise InvalidProofError(
                f"Consistency proof from tree size {old_size} has hashes beyond the root."
            )
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if fr != old_root:
        raise InvalidProofError(
            f"Consistency proof from tree size {old_size} to {new_size} leads to old root "
            f"{bytes(fr).hex()}, not the expected {bytes(old_root).hex()}."
        )
    if sn != 0 or sr != new_root:
        raise InvalidProofError(
            f"Consistency proof from tree size {old_size} to {new_size} leads to new root "
            f"{bytes(sr).hex()}, not the expected {bytes(new_root).hex()}."
        )


@dataclass(frozen=True)
class CompactRange:
    """The roots of the perfect subtrees covering leaves [0, size), largest first.

    One root per set bit of ``size``: O(log n) state from which the tree's root and the next
    state after an append follow without the leaves.
    """

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if self.size < 0:
            raise InvalidInputError(f"Compact range size {self.size} is negative.")
        want = self.size.bit_count()
        if len(self.hashes) != want:
            raise InvalidInputError(
                f"A compact range of size {self.size} holds {want} hashes, not {len(self.hashes)}."
            )
        for i, h in enumerate(self.hashes):
            if not isinstance(h, bytes) or len(h) != HASH_SIZE:
                raise InvalidInputError(
                    f"Compact range hash {i} must be {HASH_SIZE} bytes, not {h!r}."
                )

    def append(self, leaf_hash: bytes) -> CompactRange:
        """The range after one more leaf: merges equal-sized subtrees, O(log n)."""
        if len(leaf_hash) != HASH_SIZE:
            raise InvalidInputError(f"Leaf hash is {len(leaf_hash)} bytes long, not {HASH_SIZE}.")
        hashes = list(self.hashes)
        merged = bytes(leaf_hash)
        size = self.size
        while size & 1:
            merged = node_hash(hashes.pop(), merged)
            size >>= 1
        hashes.append(merged)
        return CompactRange(size=self.size + 1, hashes=tuple(hashes))

    def root(self) -> bytes:
        """MTH of the leaves covered; EMPTY_ROOT for size 0."""
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r

    def to_json(self) -> list[str]:
        """The hashes as lowercase hex strings (the size is stored beside them)."""
        return [h.hex() for h in self.hashes]

    @classmethod
    def from_json(cls, size: int, hashes: Sequence[str]) -> CompactRange:
        """Rebuild a range from its size and hex hashes, as written by ``to_json``."""
        parsed = []
        for i, text in enumerate(hashes):
            try:
                parsed.append(bytes.fromhex(text))
            except (TypeError, ValueError) as error:
                raise InvalidInputError(f"Compact range hash {i} is not hex: {text!r}.") from error
        return cls(size=size, hashes=tuple(parsed))
