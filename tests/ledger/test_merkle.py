"""RFC 9162 Merkle tree: published answers, a naive reference written here, and the
transparency-dev/merkle proof vectors."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
from pathlib import Path

import pytest

from pcfhub.errors import InvalidInputError, InvalidProofError
from pcfhub.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from tests.support.shared import shared_path

# --- An independent reference: RFC 9162 §2.1 written out recursively, on raw entries. ---


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(entries: list[bytes]) -> bytes:
    if not entries:
        return sha256(b"")
    if len(entries) == 1:
        return sha256(b"\x00" + entries[0])
    k = largest_power_of_two_below(len(entries))
    return sha256(b"\x01" + mth(entries[:k]) + mth(entries[k:]))


def path(m: int, entries: list[bytes]) -> list[bytes]:
    if len(entries) == 1:
        return []
    k = largest_power_of_two_below(len(entries))
    if m < k:
        return [*path(m, entries[:k]), mth(entries[k:])]
    return [*path(m - k, entries[k:]), mth(entries[:k])]


def subproof(m: int, entries: list[bytes], whole: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if whole else [mth(entries)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*subproof(m, entries[:k], whole), mth(entries[k:])]
    return [*subproof(m - k, entries[k:], False), mth(entries[:k])]


def random_entries(n: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [rng.randbytes(rng.randrange(0, 40)) for _ in range(n)]


def hashed(entries: list[bytes]) -> list[bytes]:
    return [sha256(b"\x00" + e) for e in entries]


def flip_bit(data: bytes, bit: int = 3) -> bytes:
    return bytes([data[0] ^ (1 << bit)]) + data[1:]


# --- The RFC 6962 reference tree used by transparency-dev/merkle (rfc6962 and proof tests). ---

REFERENCE_ENTRIES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
REFERENCE_ROOTS = {
    1: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    2: "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    3: "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    4: "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    5: "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    6: "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    7: "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    8: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
# (index, tree size, proof) from transparency-dev/merkle proof/verify_test.go.
REFERENCE_INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (old size, new size, proof) from the same file.
REFERENCE_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
REFERENCE_LEAVES = [leaf_hash(e) for e in REFERENCE_ENTRIES]


def test_empty_tree_root_is_the_hash_of_nothing() -> None:
    expected = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert HASH_SIZE == 32
    assert EMPTY_ROOT == expected == sha256(b"")
    assert root_hash([]) == expected
    assert CompactRange().root() == expected


def test_leaves_and_nodes_are_hashed_with_different_prefixes() -> None:
    left, right = sha256(b"left"), sha256(b"right")
    assert leaf_hash(b"abc") == sha256(b"\x00abc")
    assert node_hash(left, right) == sha256(b"\x01" + left + right)
    # A node cannot pass for a leaf holding its two children.
    assert leaf_hash(left + right) != node_hash(left, right)


def test_single_leaf_tree_root_is_its_leaf_hash() -> None:
    only = leaf_hash(b"")
    assert only == sha256(b"\x00")
    assert root_hash([only]) == only == bytes.fromhex(REFERENCE_ROOTS[1])
    assert inclusion_proof([only], 0, 1) == []
    verify_inclusion(leaf_hash=only, index=0, tree_size=1, proof=[], root_hash=only)


@pytest.mark.parametrize(("size", "expected"), sorted(REFERENCE_ROOTS.items()))
def test_reference_tree_roots(size: int, expected: str) -> None:
    assert root_hash(REFERENCE_LEAVES[:size]).hex() == expected
    assert mth(REFERENCE_ENTRIES[:size]).hex() == expected


@pytest.mark.parametrize(("index", "size", "expected"), REFERENCE_INCLUSION)
def test_reference_inclusion_proofs(index: int, size: int, expected: list[str]) -> None:
    proof = inclusion_proof(REFERENCE_LEAVES, index, size)
    assert [p.hex() for p in proof] == expected
    verify_inclusion(
        leaf_hash=REFERENCE_LEAVES[index],
        index=index,
        tree_size=size,
        proof=proof,
        root_hash=bytes.fromhex(REFERENCE_ROOTS[size]),
    )


@pytest.mark.parametrize(("old", "new", "expected"), REFERENCE_CONSISTENCY)
def test_reference_consistency_proofs(old: int, new: int, expected: list[str]) -> None:
    proof = consistency_proof(REFERENCE_LEAVES, old, new)
    assert [p.hex() for p in proof] == expected
    verify_consistency(
        old_size=old,
        new_size=new,
        old_root=bytes.fromhex(REFERENCE_ROOTS[old]),
        new_root=bytes.fromhex(REFERENCE_ROOTS[new]),
        proof=proof,
    )


@pytest.mark.parametrize("size", range(21))
def test_agrees_with_naive_reference_for_every_index_and_old_size(size: int) -> None:
    entries = random_entries(size, seed=size)
    leaves = hashed(entries)
    assert [leaf_hash(e) for e in entries] == leaves
    root = root_hash(leaves)
    assert root == mth(entries)
    for index in range(size):
        proof = inclusion_proof(leaves, index, size)
        assert proof == path(index, entries)
        verify_inclusion(
            leaf_hash=leaves[index], index=index, tree_size=size, proof=proof, root_hash=root
        )
    for old in range(1, size + 1):
        proof = consistency_proof(leaves, old, size)
        assert proof == subproof(old, entries, True)
        verify_consistency(
            old_size=old, new_size=size, old_root=mth(entries[:old]), new_root=root, proof=proof
        )


def test_large_tree_splits_at_the_largest_power_of_two() -> None:
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(100_003)]
    k = 65_536
    expected = node_hash(root_hash(leaves[:k]), root_hash(leaves[k:]))
    assert root_hash(leaves) == expected
    proof = inclusion_proof(leaves, 99_999, len(leaves))
    verify_inclusion(
        leaf_hash=leaves[99_999],
        index=99_999,
        tree_size=len(leaves),
        proof=proof,
        root_hash=expected,
    )
    proof = consistency_proof(leaves, 70_001, len(leaves))
    verify_consistency(
        old_size=70_001,
        new_size=len(leaves),
        old_root=root_hash(leaves[:70_001]),
        new_root=expected,
        proof=proof,
    )


def test_proofs_of_a_prefix_ignore_later_leaves() -> None:
    leaves = hashed(random_entries(30, seed=7))
    assert inclusion_proof(leaves, 4, 13) == inclusion_proof(leaves[:13], 4, 13)
    assert consistency_proof(leaves, 5, 13) == consistency_proof(leaves[:13], 5, 13)


@pytest.mark.parametrize(
    ("index", "size", "words"),
    [(0, 0, ["0", "0"]), (5, 5, ["5"]), (-1, 3, ["-1", "3"]), (0, 9, ["9", "8"])],
)
def test_inclusion_proof_refuses_out_of_range(index: int, size: int, words: list[str]) -> None:
    with pytest.raises(InvalidInputError) as error:
        inclusion_proof(REFERENCE_LEAVES, index, size)
    assert all(word in str(error.value) for word in words)


@pytest.mark.parametrize(
    ("old", "new", "words"), [(0, 4, ["0"]), (5, 4, ["5", "4"]), (2, 9, ["9", "8"])]
)
def test_consistency_proof_refuses_out_of_range(old: int, new: int, words: list[str]) -> None:
    with pytest.raises(InvalidInputError) as error:
        consistency_proof(REFERENCE_LEAVES, old, new)
    assert all(word in str(error.value) for word in words)


def test_consistency_proof_between_equal_sizes_is_empty() -> None:
    assert consistency_proof(REFERENCE_LEAVES, 5, 5) == []


# --- Corrupted proofs must fail. ---


def inclusion_corruptions(
    leaves: list[bytes], index: int, size: int
) -> list[tuple[str, dict[str, object]]]:
    proof = inclusion_proof(leaves, index, size)
    root = root_hash(leaves[:size])
    good = {
        "leaf_hash": leaves[index],
        "index": index,
        "tree_size": size,
        "proof": proof,
        "root_hash": root,
    }
    cases: list[tuple[str, dict[str, object]]] = [
        ("index + 1", {**good, "index": index + 1}),
        ("index beyond size", {**good, "index": size}),
        ("tree size * 2", {**good, "tree_size": size * 2}),
        ("wrong leaf", {**good, "leaf_hash": sha256(b"not a leaf")}),
        ("short leaf", {**good, "leaf_hash": leaves[index][:31]}),
        ("wrong root", {**good, "root_hash": sha256(b"not a root")}),
        ("empty-tree root", {**good, "root_hash": EMPTY_ROOT}),
        ("extended", {**good, "proof": [*proof, root]}),
        ("prepended", {**good, "proof": [root, *proof]}),
    ]
    if index > 0:
        cases.append(("index - 1", {**good, "index": index - 1}))
    if index < size // 2:
        cases.append(("tree size / 2", {**good, "tree_size": size // 2}))
    if proof:
        cases.append(("truncated", {**good, "proof": proof[:-1]}))
        cases.append(("short hash", {**good, "proof": [proof[0][:31], *proof[1:]]}))
    for i in range(len(proof)):
        flipped = [*proof[:i], flip_bit(proof[i]), *proof[i + 1 :]]
        cases.append((f"flipped bit in proof[{i}]", {**good, "proof": flipped}))
    return cases


def test_every_corrupted_inclusion_proof_fails() -> None:
    leaves = hashed(random_entries(17, seed=3))
    survived = []
    for size in range(1, 18):
        for index in range(size):
            for name, kwargs in inclusion_corruptions(leaves, index, size):
                try:
                    verify_inclusion(**kwargs)  # type: ignore[arg-type]
                except InvalidProofError:
                    continue
                survived.append((index, size, name))
    assert survived == []


def consistency_corruptions(
    leaves: list[bytes], old: int, new: int
) -> list[tuple[str, dict[str, object]]]:
    proof = consistency_proof(leaves, old, new)
    old_root, new_root = root_hash(leaves[:old]), root_hash(leaves[:new])
    good = {
        "old_size": old,
        "new_size": new,
        "old_root": old_root,
        "new_root": new_root,
        "proof": proof,
    }
    cases: list[tuple[str, dict[str, object]]] = [
        ("old size - 1", {**good, "old_size": old - 1}),
        ("old size ^ 2", {**good, "old_size": old ^ 2}),
        ("new size * 2", {**good, "new_size": new * 2}),
        ("new size / 2", {**good, "new_size": new // 2}),
        ("wrong old root", {**good, "old_root": sha256(b"not a root")}),
        ("wrong new root", {**good, "new_root": sha256(b"not a root")}),
        ("swapped roots", {**good, "old_root": new_root, "new_root": old_root}),
        ("empty proof", {**good, "proof": []}),
        ("extended", {**good, "proof": [*proof, new_root]}),
        ("prepended", {**good, "proof": [old_root, *proof]}),
        ("truncated", {**good, "proof": proof[:-1]}),
    ]
    if old + 1 < new:
        cases.append(("old size + 1", {**good, "old_size": old + 1}))
    for i in range(len(proof)):
        flipped = [*proof[:i], flip_bit(proof[i], 4), *proof[i + 1 :]]
        cases.append((f"flipped bit in proof[{i}]", {**good, "proof": flipped}))
    return cases


def test_every_corrupted_consistency_proof_fails() -> None:
    leaves = hashed(random_entries(17, seed=4))
    survived = []
    for new in range(2, 18):
        for old in range(1, new):
            for name, kwargs in consistency_corruptions(leaves, old, new):
                try:
                    verify_consistency(**kwargs)  # type: ignore[arg-type]
                except InvalidProofError:
                    continue
                survived.append((old, new, name))
    assert survived == []


def test_inclusion_failures_say_what_failed() -> None:
    leaves, root = REFERENCE_LEAVES, bytes.fromhex(REFERENCE_ROOTS[8])
    proof = inclusion_proof(leaves, 5, 8)
    with pytest.raises(InvalidProofError, match="beyond tree size 8"):
        verify_inclusion(leaf_hash=leaves[5], index=8, tree_size=8, proof=proof, root_hash=root)
    with pytest.raises(InvalidProofError, match="has 2 hashes.*needs 3"):
        verify_inclusion(leaf_hash=leaves[5], index=5, tree_size=8, proof=proof[:2], root_hash=root)
    with pytest.raises(InvalidProofError, match=f"not the expected {EMPTY_ROOT.hex()}"):
        verify_inclusion(
            leaf_hash=leaves[5], index=5, tree_size=8, proof=proof, root_hash=EMPTY_ROOT
        )
    with pytest.raises(InvalidProofError, match="Leaf hash is 9 bytes"):
        verify_inclusion(leaf_hash=b"WrongLeaf", index=5, tree_size=8, proof=proof, root_hash=root)


def test_malformed_proofs_are_named() -> None:
    leaves, root = REFERENCE_LEAVES, bytes.fromhex(REFERENCE_ROOTS[8])
    proof = inclusion_proof(leaves, 5, 8)
    with pytest.raises(InvalidProofError, match="index -1 is negative"):
        verify_inclusion(leaf_hash=leaves[0], index=-1, tree_size=8, proof=proof, root_hash=root)
    with pytest.raises(InvalidProofError, match="proof hash 1 is 31 bytes long"):
        verify_inclusion(
            leaf_hash=leaves[5],
            index=5,
            tree_size=8,
            proof=[proof[0], proof[1][:31], proof[2]],
            root_hash=root,
        )
    old_root = bytes.fromhex(REFERENCE_ROOTS[6])
    proof = consistency_proof(leaves, 6, 8)
    with pytest.raises(InvalidProofError, match="6 to 8 has 2 hashes; it needs 3"):
        verify_consistency(
            old_size=6, new_size=8, old_root=old_root, new_root=root, proof=proof[1:]
        )
    with pytest.raises(InvalidProofError, match="proof hash 0 is 0 bytes long"):
        verify_consistency(
            old_size=6, new_size=8, old_root=old_root, new_root=root, proof=[b"", *proof[1:]]
        )
    with pytest.raises(InvalidProofError, match="leads to new root"):
        verify_consistency(
            old_size=6, new_size=8, old_root=old_root, new_root=EMPTY_ROOT, proof=proof
        )
    with pytest.raises(InvalidProofError, match="leads to old root"):
        verify_consistency(old_size=6, new_size=8, old_root=EMPTY_ROOT, new_root=root, proof=proof)


def test_consistency_edge_cases_follow_transparency_dev() -> None:
    root = bytes.fromhex(REFERENCE_ROOTS[4])
    other = bytes.fromhex(REFERENCE_ROOTS[5])
    # Equal sizes: empty proof and equal roots.
    verify_consistency(old_size=4, new_size=4, old_root=root, new_root=root, proof=[])
    with pytest.raises(InvalidProofError, match="roots differ"):
        verify_consistency(old_size=4, new_size=4, old_root=root, new_root=other, proof=[])
    with pytest.raises(InvalidProofError, match="must be empty"):
        verify_consistency(old_size=4, new_size=4, old_root=root, new_root=root, proof=[root])
    # Growing needs a proof; shrinking is never consistent.
    with pytest.raises(InvalidProofError, match="is empty"):
        verify_consistency(old_size=4, new_size=5, old_root=root, new_root=other, proof=[])
    with pytest.raises(InvalidProofError, match="beyond new tree size 4"):
        verify_consistency(old_size=5, new_size=4, old_root=other, new_root=root, proof=[])
    # A proof from the empty tree is meaningless, as in transparency-dev/merkle.
    for new_size, new_root in ((0, EMPTY_ROOT), (5, other)):
        with pytest.raises(InvalidProofError, match="empty tree"):
            verify_consistency(
                old_size=0, new_size=new_size, old_root=EMPTY_ROOT, new_root=new_root, proof=[]
            )


# --- The transparency-dev/merkle vectors (Apache-2.0), read from the shared reference folder. ---

VECTORS = shared_path("reference", "merkle-testdata")


def vector_files(kind: str) -> list[Path]:
    return sorted((VECTORS / kind).rglob("*.json")) if VECTORS.is_dir() else []


def vector_params(kind: str) -> list[object]:
    files = vector_files(kind)
    if not files:
        return [pytest.param(None, id="missing")]
    return [pytest.param(f, id=str(f.relative_to(VECTORS / kind))) for f in files]


def require_vectors() -> None:
    """Skip without the vectors on a developer's machine; fail in CI, where they must be."""
    if not VECTORS.is_dir():
        reason = f"transparency-dev/merkle test vectors not found at {VECTORS}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def load_vector(file: Path | None) -> dict[str, object]:
    if file is None:
        require_vectors()
    assert file is not None
    return json.loads(file.read_text(encoding="utf-8"))


def b64(text: object) -> bytes:
    assert isinstance(text, str)
    return base64.b64decode(text, validate=True)


def b64_list(items: object) -> list[bytes]:
    # Go writes a nil proof as JSON null.
    return [b64(item) for item in items or []]  # type: ignore[attr-defined]


@pytest.mark.parametrize("file", vector_params("inclusion"))
def test_inclusion_vector(file: Path | None) -> None:
    vector = load_vector(file)
    kwargs = {
        "leaf_hash": b64(vector["leafHash"]),
        "index": vector["leafIdx"],
        "tree_size": vector["treeSize"],
        "proof": b64_list(vector["proof"]),
        "root_hash": b64(vector["root"]),
    }
    if vector["wantErr"]:
        with pytest.raises(InvalidProofError):
            verify_inclusion(**kwargs)  # type: ignore[arg-type]
    else:
        verify_inclusion(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("file", vector_params("consistency"))
def test_consistency_vector(file: Path | None) -> None:
    vector = load_vector(file)
    kwargs = {
        "old_size": vector["size1"],
        "new_size": vector["size2"],
        "old_root": b64(vector["root1"]),
        "new_root": b64(vector["root2"]),
        "proof": b64_list(vector["proof"]),
    }
    if vector["wantErr"]:
        with pytest.raises(InvalidProofError):
            verify_consistency(**kwargs)  # type: ignore[arg-type]
    else:
        verify_consistency(**kwargs)  # type: ignore[arg-type]


def happy_paths(kind: str) -> list[dict[str, object]]:
    # The numbered folders hold proofs in the reference tree; "additional" and
    # "single-entry" hold hand-made cases.
    return [
        load_vector(f)
        for f in vector_files(kind)
        if f.name == "happy-path.json" and f.parent.name.isdigit()
    ]


def test_vectors_hold_valid_and_corrupted_cases() -> None:
    require_vectors()
    for kind in ("inclusion", "consistency"):
        vectors = [load_vector(f) for f in vector_files(kind)]
        valid = [v for v in vectors if v["wantErr"] is False]
        corrupted = [v for v in vectors if v["wantErr"] is True]
        assert len(valid) >= 5
        assert len(corrupted) >= 10 * len(valid)
        assert len(valid) + len(corrupted) == len(vectors)


def test_our_proofs_equal_the_happy_path_vectors() -> None:
    require_vectors()
    inclusion = happy_paths("inclusion")
    consistency = happy_paths("consistency")
    assert len(inclusion) == len(consistency) == 5
    for v in inclusion:
        size, index = v["treeSize"], v["leafIdx"]
        assert isinstance(size, int)
        assert isinstance(index, int)
        assert inclusion_proof(REFERENCE_LEAVES, index, size) == b64_list(v["proof"])
        assert root_hash(REFERENCE_LEAVES[:size]) == b64(v["root"])
        assert REFERENCE_LEAVES[index] == b64(v["leafHash"])
    for v in consistency:
        old, new = v["size1"], v["size2"]
        assert isinstance(old, int)
        assert isinstance(new, int)
        assert consistency_proof(REFERENCE_LEAVES, old, new) == b64_list(v["proof"])
        assert root_hash(REFERENCE_LEAVES[:new]) == b64(v["root2"])


# --- Compact ranges. ---


def perfect_subtree_roots(leaves: list[bytes]) -> tuple[bytes, ...]:
    roots, start = [], 0
    for bit in reversed(range(len(leaves).bit_length())):
        if len(leaves) >> bit & 1:
            roots.append(mth_of_hashes(leaves[start : start + (1 << bit)]))
            start += 1 << bit
    return tuple(roots)


def mth_of_hashes(leaves: list[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = largest_power_of_two_below(len(leaves))
    return sha256(b"\x01" + mth_of_hashes(leaves[:k]) + mth_of_hashes(leaves[k:]))


def test_compact_range_root_matches_the_tree_at_every_size_to_100() -> None:
    entries = random_entries(100, seed=11)
    leaves = hashed(entries)
    compact = CompactRange()
    for n in range(101):
        assert compact.size == n
        assert compact.hashes == perfect_subtree_roots(leaves[:n])
        assert compact.root() == root_hash(leaves[:n]) == mth(entries[:n])
        if n < 100:
            compact = compact.append(leaves[n])


@pytest.mark.parametrize("size", [255, 256, 1000, 4097])
def test_compact_range_root_matches_larger_trees(size: int) -> None:
    leaves = hashed(random_entries(size, seed=size))
    compact = CompactRange()
    for leaf in leaves:
        compact = compact.append(leaf)
    assert len(compact.hashes) == size.bit_count()
    assert compact.root() == root_hash(leaves)


def test_compact_range_append_leaves_the_original_alone() -> None:
    before = CompactRange().append(REFERENCE_LEAVES[0])
    after = before.append(REFERENCE_LEAVES[1])
    assert before.size == 1
    assert before.root() == REFERENCE_LEAVES[0]
    assert after.root() == bytes.fromhex(REFERENCE_ROOTS[2])


def test_compact_range_json_round_trip() -> None:
    compact = CompactRange()
    for leaf in REFERENCE_LEAVES[:7]:
        compact = compact.append(leaf)
    stored = json.loads(json.dumps(compact.to_json()))
    assert len(stored) == 3
    assert all(len(h) == 64 and h == h.lower() for h in stored)
    restored = CompactRange.from_json(7, stored)
    assert restored == compact
    assert restored.root() == bytes.fromhex(REFERENCE_ROOTS[7])
    assert restored.append(REFERENCE_LEAVES[7]).root() == bytes.fromhex(REFERENCE_ROOTS[8])
    assert CompactRange.from_json(0, []) == CompactRange()


@pytest.mark.parametrize(
    ("size", "hashes", "words"),
    [
        (3, ["00" * 32], "size 3 holds 2 hashes, not 1"),
        (1, ["zz" * 32], "not hex"),
        (1, ["00" * 31], "must be 32 bytes"),
        (-1, [], "negative"),
    ],
)
def test_compact_range_from_json_refuses_bad_state(
    size: int, hashes: list[str], words: str
) -> None:
    with pytest.raises(InvalidInputError, match=words):
        CompactRange.from_json(size, hashes)
