"""factors: full-text search (SQLite FTS5 table; PostgreSQL GIN index on the tokens)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Objects the ORM metadata does not describe (the migration environment skips them).
FTS_TABLE = "factor_search"
GIN_INDEX = "ix_factor_versions_search"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(version_id UNINDEXED, tokens)")
    else:
        op.execute(
            f"CREATE INDEX {GIN_INDEX} ON factor_versions "
            "USING gin (to_tsvector('simple', search_text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TABLE {FTS_TABLE}")
    else:
        op.execute(f"DROP INDEX {GIN_INDEX}")
