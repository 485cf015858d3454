"""Alembic migrations build exactly the schema the tables declare, on both databases."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import IntegrityError

from pcfhub.platform.context import Platform
from pcfhub.platform.db import make_engine
from pcfhub.platform.migrate import (
    MIGRATIONS,
    NOT_IN_METADATA,
    alembic_config,
    current_revision,
    head_revision,
    include_object,
    upgrade,
)
from pcfhub.platform.store import MembershipRow
from pcfhub.platform.tables import metadata

TABLES = {
    "accounting_result_factors",
    "accounting_results",
    "alembic_version",
    "api_clients",
    "catalogue_versions",
    "factor_evidence",
    "factor_lineages",
    "factor_reviews",
    "factor_usages",
    "factor_versions",
    "grants",
    "jobs",
    "lci_products",
    "lci_releases",
    "ledger_entries",
    "ledger_keys",
    "ledger_state",
    "ledger_tree_heads",
    "memberships",
    "organisations",
    "pact_connections",
    "pact_footprints",
    "pact_outbox",
    "pact_received",
    "pact_requests",
    "pact_shares",
    "product_model_versions",
    "product_models",
    "reports",
    "rule_versions",
    "users",
    "web_sessions",
}


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return compare_metadata(context, metadata)


def test_the_migrated_schema_matches_the_tables(platform: Platform) -> None:
    assert differences(platform.engine) == []
    names = inspect(platform.engine).get_table_names()
    assert {n for n in names if not n.startswith(NOT_IN_METADATA)} == TABLES


def test_the_database_is_at_the_head_revision(platform: Platform) -> None:
    # Revisions are numbered files in one straight line; the head is the highest number.
    numbers = sorted(path.name[:4] for path in (MIGRATIONS / "versions").glob("[0-9]*.py"))
    assert numbers == [f"{n:04d}" for n in range(1, len(numbers) + 1)]
    assert head_revision() == numbers[-1]
    assert current_revision(platform.engine) == head_revision()
    upgrade(platform.engine)  # again: nothing to do
    assert current_revision(platform.engine) == numbers[-1]
    platform.check_ready()


def test_downgrade_and_upgrade_again(platform: Platform) -> None:
    config = alembic_config()
    with platform.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(platform.engine).get_table_names()) == {"alembic_version"}
    assert current_revision(platform.engine) is None
    upgrade(platform.engine)
    assert differences(platform.engine) == []
    with platform.engine.connect() as connection:  # the migration seeds the empty tree
        row = connection.execute(text("SELECT id, size FROM ledger_state")).one()
    assert tuple(row) == (1, 0)


def test_foreign_keys_are_enforced(platform: Platform) -> None:
    with platform.unit_of_work() as uow:
        uow.session.add(
            MembershipRow(user_id=uuid.uuid4(), organisation_id=uuid.uuid4(), role="viewer")
        )
        with pytest.raises(IntegrityError):
            uow.session.flush()


def test_sqlite_runs_with_foreign_keys_and_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'pcfhub.sqlite3'}")
    try:
        upgrade(engine)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert differences(engine) == []
    finally:
        engine.dispose()
