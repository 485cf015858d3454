"""`pcfhub verify`: recompute the whole log from the database and find what no longer matches.

Checks, in order of the log: each stored entry still hashes to its leaf hash and is canonical;
the tree recomputed from the entries has the root of every signed tree head, and each head's
Ed25519 signature verifies; no entry lies beyond the last signed head; and the last entry about
each object still matches the object's current content (a row edited behind the application's
back is caught here). The report names the first entry at fault.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from pcfhub.errors import InvalidInputError, InvalidSignatureError
from pcfhub.ledger.canonical import canonical_json, content_hash
from pcfhub.ledger.merkle import CompactRange, leaf_hash
from pcfhub.ledger.objects import read_content, stored_ids
from pcfhub.ledger.service import published_keys
from pcfhub.ledger.signing import SignedTreeHead, verify_tree_head
from pcfhub.ledger.store import LedgerEntryRow, LedgerStateRow, TreeHeadRow

BATCH = 2000


@dataclass(frozen=True)
class LedgerProblem:
    """One thing that does not verify; ``index`` is the entry at fault when there is one."""

    index: int | None
    check: str
    message: str


@dataclass(frozen=True)
class AuditReport:
    entries: int
    tree_heads: int
    objects: int
    problems: tuple[LedgerProblem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> LedgerProblem | None:
        if not self.problems:
            return None
        return min(self.problems, key=lambda p: (p.index is None, p.index or 0))


def _entries(session: Session) -> Iterator[LedgerEntryRow]:
    stmt = select(LedgerEntryRow).order_by(LedgerEntryRow.index).execution_options(yield_per=BATCH)
    yield from session.scalars(stmt)


def audit_log(
    session: Session,
    *,
    trusted_keys: Mapping[str, Ed25519PublicKey] | None = None,
    witnessed_heads: Sequence[SignedTreeHead] = (),
    progress: Callable[[int], None] | None = None,
) -> AuditReport:
    """Verify the log stored in ``session``'s database.

    ``trusted_keys`` (key id → public key) are the keys a third party trusts; without them the
    keys published in the database are used, which catches edits but not a forged key.
    ``witnessed_heads`` are signed heads kept outside the database (by a monitor, a verifier,
    a customer): the stored log must still contain each of them, which catches a log cut
    back together with its heads.
    """
    problems: list[LedgerProblem] = []
    heads = list(session.scalars(select(TreeHeadRow).order_by(TreeHeadRow.tree_size)))
    head_sizes = {head.tree_size for head in heads} | {h.tree_size for h in witnessed_heads}
    roots: dict[int, bytes] = {}
    tree = CompactRange.from_json(0, [])
    if 0 in head_sizes:
        roots[0] = tree.root()
    last_about: dict[tuple[str, str], tuple[int, str | None]] = {}

    for expected_index, row in enumerate(_entries(session)):
        if row.index != expected_index:
            problems.append(
                LedgerProblem(
                    expected_index,
                    "sequence",
                    f"entry {expected_index} is missing (next stored entry is {row.index}).",
                )
            )
            break
        _check_entry(row, problems)
        tree = tree.append(row.leaf_hash)  # the entry text itself is checked against it above
        if tree.size in head_sizes:
            roots[tree.size] = tree.root()
        last_about[(row.object_kind, row.object_id)] = (row.index, _content_hash_of(row))
        if progress is not None:
            progress(1)

    keys = dict(trusted_keys) if trusted_keys is not None else published_keys(session)
    last_good = 0  # the largest signed size whose root still matches
    for head_row in heads:  # in order of size
        if _check_head(head_row, roots, keys, problems, entries=tree.size, last_good=last_good):
            last_good = max(last_good, head_row.tree_size)
    for witnessed in witnessed_heads:
        _check_witnessed(witnessed, roots, keys, problems, entries=tree.size)
    signed_size = max((head.tree_size for head in heads), default=0)
    if tree.size > signed_size:
        problems.append(
            LedgerProblem(
                signed_size,
                "unsigned",
                f"entries {signed_size}..{tree.size - 1} are not covered by any signed tree head.",
            )
        )
    state = session.get(LedgerStateRow, 1)
    if state is not None and (state.size, state.hashes) != (tree.size, tree.to_json()):
        problems.append(
            LedgerProblem(
                None, "state", "the stored tree state does not match the recomputed tree."
            )
        )
    for (kind, object_id), (index, recorded) in last_about.items():
        current = read_content(session, kind, object_id)
        current_hash = content_hash(current) if current is not None else None
        if current_hash != recorded:
            state_now = "was deleted" if current is None else "has changed"
            problems.append(
                LedgerProblem(
                    index,
                    "object",
                    f"entry {index} no longer matches its object: {kind} {object_id} "
                    f"{state_now} since it was recorded (recorded {recorded}, now "
                    f"{current_hash}).",
                )
            )
    recorded_ids: dict[str, set[str]] = {}
    for kind, object_id in last_about:
        recorded_ids.setdefault(kind, set()).add(object_id)
    for kind, ids in stored_ids(session).items():
        for object_id in sorted(ids - recorded_ids.get(kind, set())):
            problems.append(
                LedgerProblem(
                    None,
                    "unrecorded",
                    f"{kind} {object_id} has no ledger entry: it was written behind the "
                    "application's back.",
                )
            )
    problems.sort(key=lambda p: (p.index is None, p.index or 0))
    return AuditReport(
        entries=tree.size, tree_heads=len(heads), objects=len(last_about), problems=tuple(problems)
    )


def _content_hash_of(row: LedgerEntryRow) -> str | None:
    try:
        return json.loads(row.entry).get("content_hash")
    except (ValueError, AttributeError):
        return None


def _check_entry(row: LedgerEntryRow, problems: list[LedgerProblem]) -> None:
    data = row.entry.encode()
    if leaf_hash(data) != row.leaf_hash:
        problems.append(
            LedgerProblem(
                row.index,
                "leaf",
                f"entry {row.index} was altered: its text no longer hashes to its leaf hash.",
            )
        )
        return
    try:
        event: Any = json.loads(data)
        canonical = canonical_json(event)
    except (ValueError, InvalidInputError):
        problems.append(LedgerProblem(row.index, "entry", f"entry {row.index} is not valid JSON."))
        return
    if canonical != data:
        problems.append(
            LedgerProblem(row.index, "entry", f"entry {row.index} is not canonical JSON.")
        )
    if not isinstance(event, dict):
        problems.append(LedgerProblem(row.index, "entry", f"entry {row.index} is not an object."))
        return
    organisation = str(row.organisation_id) if row.organisation_id else None
    if event.get("organisation") != organisation:
        problems.append(
            LedgerProblem(
                row.index,
                "entry",
                f"entry {row.index}'s organisation column differs from its hashed text.",
            )
        )
    recorded = event.get("object", {})
    if (event.get("action"), recorded.get("kind"), recorded.get("id")) != (
        row.action,
        row.object_kind,
        row.object_id,
    ):
        problems.append(
            LedgerProblem(
                row.index,
                "entry",
                f"entry {row.index}'s columns (action, object) differ from its hashed text.",
            )
        )


def _check_head(
    row: TreeHeadRow,
    roots: Mapping[int, bytes],
    keys: Mapping[str, Ed25519PublicKey],
    problems: list[LedgerProblem],
    *,
    entries: int,
    last_good: int,
) -> bool:
    """Check one head's signature and root; True when its root still matches."""
    head = row.head()
    where = f"signed tree head of size {head.tree_size}"
    key = keys.get(head.key_id)
    if key is None:
        problems.append(
            LedgerProblem(None, "signature", f"{where} is signed by unknown key {head.key_id}.")
        )
    else:
        try:
            verify_tree_head(head, key)
        except InvalidSignatureError as error:
            problems.append(LedgerProblem(None, "signature", f"{where}: {error}"))
    recomputed = roots.get(head.tree_size)
    if recomputed is None:
        problems.append(
            LedgerProblem(
                None,
                "root",
                f"{where} is beyond the {entries} stored entries: entries were removed.",
            )
        )
        return False
    if recomputed != head.root_hash:
        problems.append(
            LedgerProblem(
                last_good,
                "root",
                f"{where}: the entries no longer give its root hash; one of entries "
                f"{last_good}..{head.tree_size - 1} was changed together with its leaf hash.",
            )
        )
        return False
    return True


def _check_witnessed(
    head: SignedTreeHead,
    roots: Mapping[int, bytes],
    keys: Mapping[str, Ed25519PublicKey],
    problems: list[LedgerProblem],
    *,
    entries: int,
) -> None:
    where = f"witnessed tree head of size {head.tree_size}"
    key = keys.get(head.key_id)
    try:
        if key is None:
            raise InvalidSignatureError(f"it is signed by unknown key {head.key_id}")
        verify_tree_head(head, key)
    except InvalidSignatureError as error:
        problems.append(LedgerProblem(None, "witness", f"{where} is not genuine: {error}"))
        return
    if head.tree_size > entries:
        problems.append(
            LedgerProblem(
                entries,
                "witness",
                f"{where}: the stored log has only {entries} entries; entries "
                f"{entries}..{head.tree_size - 1} were removed together with their heads.",
            )
        )
    elif roots.get(head.tree_size) != head.root_hash:
        problems.append(
            LedgerProblem(
                None,
                "witness",
                f"{where}: the stored log no longer has its root; the log was rewritten.",
            )
        )
