"""Every capability's tables, imported in one place so Alembic and the ledger see them all."""

from __future__ import annotations

from pcfhub.accounting import store as accounting_store  # noqa: F401
from pcfhub.catalogue import store as catalogue_store  # noqa: F401
from pcfhub.exchange import store as exchange_store  # noqa: F401
from pcfhub.factors import store as factors_store  # noqa: F401
from pcfhub.lci import store as lci_store  # noqa: F401
from pcfhub.ledger import store as ledger_store  # noqa: F401
from pcfhub.platform import store as platform_store  # noqa: F401
from pcfhub.platform.db import Base
from pcfhub.reports import declarations_ledger  # noqa: F401  (issued declarations)
from pcfhub.reports import store as reports_store  # noqa: F401

metadata = Base.metadata
