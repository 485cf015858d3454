"""Who may read a ledger entry's content: members of the organisation it is about.

Heads, proofs and leaf hashes are public; an entry's event (actor, action, object) is not.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from pcfhub.errors import NotFoundError
from pcfhub.ledger import service
from pcfhub.platform.authz import authorize
from pcfhub.platform.model import Action, Principal


def authorize_entries(session: Session, who: Principal) -> None:
    """Entries belong to the organisation they are about; tokens need ledger_entry:read."""
    authorize(session, who, Action.READ, owner_id=who.organisation_id, object_kind="ledger_entry")


def entry_for(session: Session, who: Principal, index: int) -> service.LedgerEntry:
    """Entry ``index``, if it is about the caller's organisation; otherwise it does not exist."""
    authorize_entries(session, who)
    entry = service.get_entry(session, index)
    if entry.organisation_id != who.organisation_id:
        raise NotFoundError(f"The ledger has no entry {index} for your organisation.")
    return entry
