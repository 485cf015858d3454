"""The unit of work: one transaction per use case, rolled back unless committed.

Ledger entries written during the unit of work are covered by a signed tree head that is
written in the same transaction, just before the commit.
"""

from __future__ import annotations

from types import TracebackType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker

from pcfhub.errors import ConfigurationError
from pcfhub.ledger import service as ledger


class UnitOfWork:
    """``with platform.unit_of_work() as uow: ...; uow.commit()``."""

    session: Session

    def __init__(
        self, sessions: sessionmaker[Session], ledger_key: Ed25519PrivateKey | None
    ) -> None:
        self._sessions = sessions
        self._ledger_key = ledger_key
        self._committed = False

    def __enter__(self) -> UnitOfWork:
        self.session = self._sessions()
        self._committed = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        """Sign the ledger's new head if this unit of work appended entries, then commit."""
        if ledger.has_pending_entries(self.session):
            if self._ledger_key is None:
                raise ConfigurationError(
                    "Ledger entries were written but no ledger key is loaded; run pcfhub init."
                )
            ledger.sign_pending_head(self.session, self._ledger_key)
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        self.session.rollback()
        self.session.info.pop(ledger.PENDING, None)
