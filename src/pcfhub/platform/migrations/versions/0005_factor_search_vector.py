"""factors: PostgreSQL keeps the tokens' tsvector in a stored column, indexed by GIN

Rechecking a match then reads the stored vector instead of computing to_tsvector again for
every row of a large (lossy) bitmap.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_factor_versions_search")
        op.execute(
            "ALTER TABLE factor_versions ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
        )
        op.execute(
            "CREATE INDEX ix_factor_versions_search ON factor_versions USING gin (search_vector)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_factor_versions_search")
        op.execute("ALTER TABLE factor_versions DROP COLUMN search_vector")
        op.execute(
            "CREATE INDEX ix_factor_versions_search ON factor_versions "
            "USING gin (to_tsvector('simple', search_text))"
        )
