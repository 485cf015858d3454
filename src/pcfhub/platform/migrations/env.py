"""Alembic environment: the connection `pcfhub.platform.migrate` hands it, or (from the
``alembic`` command line) the database named by the ``PCFHUB_*`` settings."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from pcfhub.config import get_settings
from pcfhub.platform.db import make_engine
from pcfhub.platform.migrate import include_object
from pcfhub.platform.tables import metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:  # pcfhub init, the tests
    run(given)
else:  # the alembic command line, on the database of the PCFHUB_* settings
    engine = make_engine(get_settings().resolved_database_url)
    with engine.begin() as connection:
        run(connection)
    engine.dispose()
