"""The platform's CLI commands, run in process on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, text
from typer.testing import CliRunner

from pcfhub.cli import app
from pcfhub.config import Settings, get_settings
from pcfhub.ledger import service as ledger
from pcfhub.ledger.merkle import CompactRange
from pcfhub.ledger.signing import generate_private_key, public_key_to_pem
from pcfhub.ledger.store import LedgerEntryRow, LedgerStateRow, TreeHeadRow
from pcfhub.platform import auth, grants
from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.migrate import head_revision
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.service import organisation_by_slug
from pcfhub.platform.store import GrantRow, MembershipRow, UserRow

runner = CliRunner()


@pytest.fixture
def cli_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    env = {
        "PCFHUB_ENVIRONMENT": "test",
        "PCFHUB_DATA_DIR": str(tmp_path / "data"),
        "PCFHUB_DATABASE_URL": database_url,
        "PCFHUB_SECRET_KEY": "cli-test-secret-" + "y" * 40,
        "COLUMNS": "200",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_init_creates_the_schema_and_the_ledger_key_once(cli_env: dict[str, str]) -> None:
    code, out = invoke("init")
    assert code == 0, out
    assert f"revision {head_revision()}" in out
    assert "generated" in out
    key_file = Path(cli_env["PCFHUB_DATA_DIR"]) / "keys" / "ledger-ed25519.pem"
    assert key_file.stat().st_mode & 0o777 == 0o600
    first_key = key_file.read_bytes()
    code, out = invoke("init")
    assert code == 0, out
    assert "kept" in out
    assert key_file.read_bytes() == first_key


def test_demo_prints_sign_ins_that_work(cli_env: dict[str, str]) -> None:
    code, out = invoke("demo")
    assert code == 0, out
    rows = re.findall(r"(\S+@demo\.pcfhub\.org)\s+(\S+)", out)
    assert len(rows) == 9
    platform = Platform.from_settings(Settings())
    policy = auth.SignInPolicy(
        max_failures=5, lockout=timedelta(minutes=1), session_max_age=timedelta(hours=1)
    )
    with platform.unit_of_work() as uow:
        for email, password in rows:
            assert auth.sign_in(uow, email=email, password=password, language="en", policy=policy)
    platform.dispose()


def test_verify_passes_then_names_a_row_edited_behind_the_applications_back(
    cli_env: dict[str, str],
) -> None:
    assert invoke("demo")[0] == 0
    code, out = invoke("verify")
    assert code == 0, out
    assert "Ledger verified" in out

    platform = Platform.from_settings(Settings())
    with platform.engine.begin() as connection:
        connection.execute(
            text("UPDATE organisations SET name = 'Forged Ltd' WHERE slug = 'cq-battery'")
        )
    platform.dispose()

    code, out = invoke("verify")
    assert code == 1, out
    assert "does NOT verify" in out
    match = re.search(r"First problem: entry (\d+) no longer matches its object: organisation", out)
    assert match, out


def test_verify_names_the_entry_of_the_edited_object(cli_env: dict[str, str]) -> None:
    assert invoke("demo")[0] == 0
    platform = Platform.from_settings(Settings())
    with platform.unit_of_work() as uow:
        org_id = str(organisation_by_slug(uow.session, "verifier").id)
        expected = uow.session.scalar(
            select(func.max(LedgerEntryRow.index)).where(LedgerEntryRow.object_id == org_id)
        )
    with platform.engine.begin() as connection:
        connection.execute(text("UPDATE organisations SET kind = 'bank' WHERE slug = 'verifier'"))
    platform.dispose()
    code, out = invoke("verify")
    assert code == 1
    assert f"First problem: entry {expected} no longer matches its object: organisation" in out


def test_users_add_creates_a_member_who_can_sign_in(cli_env: dict[str, str]) -> None:
    assert invoke("demo")[0] == 0
    code, out = invoke(
        "users", "add", "li.lei@example.org", "--organisation", "cq-laptop",
        "--name", "Li Lei", "--role", "editor", "--password", "correct horse battery",
    )  # fmt: skip
    assert code == 0, out
    assert "li.lei@example.org is now editor of cq-laptop" in out
    code, out = invoke(
        "users", "add", "x@example.org", "--organisation", "no-such-org",
        "--name", "X", "--password", "correct horse battery",
    )  # fmt: skip
    assert code == 2
    assert "no-such-org" in out
    code, out = invoke(
        "users", "add", "y@example.org", "--organisation", "cq-laptop",
        "--name", "Y", "--password", "short",
    )  # fmt: skip
    assert code == 2
    assert "password" in out


def test_demo_is_refused_in_production(
    monkeypatch: pytest.MonkeyPatch, cli_env: dict[str, str]
) -> None:
    monkeypatch.setenv("PCFHUB_ENVIRONMENT", "production")
    get_settings.cache_clear()
    code, out = invoke("demo")
    assert code == 2
    assert "production" in out


def test_verify_checks_heads_against_a_trusted_key(cli_env: dict[str, str], tmp_path: Path) -> None:
    assert invoke("demo")[0] == 0
    platform = Platform.from_settings(Settings())
    assert platform.ledger_key is not None
    ours = tmp_path / "ours.pem"
    ours.write_bytes(public_key_to_pem(platform.ledger_key.public_key()))
    other = tmp_path / "other.pem"
    other.write_bytes(public_key_to_pem(generate_private_key().public_key()))
    platform.dispose()
    code, out = invoke("verify", "--trusted-key", str(ours))
    assert code == 0, out
    code, out = invoke("verify", "--trusted-key", str(other))
    assert code == 1
    assert "signed by unknown key" in out


def test_verify_catches_a_log_cut_back_with_its_heads_against_a_witnessed_head(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    assert invoke("demo")[0] == 0
    platform = Platform.from_settings(Settings())
    with platform.unit_of_work() as uow:  # the battery maker revokes the bank's access
        battery = organisation_by_slug(uow.session, "cq-battery")
        grant = uow.session.scalar(
            select(GrantRow).where(
                GrantRow.grantor_id == battery.id, GrantRow.object_kind == "result"
            )
        )
        assert grant is not None
        admin = Principal(
            organisation_id=battery.id,
            organisation_kind=OrganisationKind.ENTERPRISE,
            role=Role.ADMIN,
            user_id=grant.created_by,
        )
        grants.revoke_grant(uow, principal=admin, grant_id=grant.id)
        uow.commit()
    client = TestClient(create_app(platform=platform))
    witnessed = tmp_path / "heads.jsonl"  # a monitor keeps the heads it saw
    witnessed.write_text(json.dumps(client.get("/api/v1/ledger/head").json()) + "\n")
    assert invoke("verify", "--expect-head", str(witnessed))[0] == 0

    # Undo the revocation behind the application's back: drop its entry and head, rewind
    # the tree state and the grant row. Everything left in the database is consistent.
    with platform.unit_of_work() as uow:
        size = ledger.size(uow.session)
        tree = CompactRange()
        for hashed in uow.session.scalars(
            select(LedgerEntryRow.leaf_hash).order_by(LedgerEntryRow.index).limit(size - 1)
        ):
            tree = tree.append(hashed)
        uow.session.execute(delete(LedgerEntryRow).where(LedgerEntryRow.index == size - 1))
        uow.session.execute(delete(TreeHeadRow).where(TreeHeadRow.tree_size == size))
        state = uow.session.get(LedgerStateRow, 1)
        assert state is not None
        state.size, state.hashes = tree.size, tree.to_json()
        row = uow.session.get(GrantRow, grant.id)
        assert row is not None
        row.revoked_at = None
        uow.session.commit()
    platform.dispose()
    code, out = invoke("verify")
    assert code == 0, out  # undetectable from inside the database alone …
    code, out = invoke("verify", "--expect-head", str(witnessed))
    assert code == 1  # … but not against a head kept outside it
    assert f"entries {size - 1}..{size - 1} were removed together with their heads" in out


def test_verify_finds_a_row_inserted_behind_the_ledgers_back(cli_env: dict[str, str]) -> None:
    assert invoke("demo")[0] == 0
    platform = Platform.from_settings(Settings())
    with platform.unit_of_work() as uow:
        laptop = organisation_by_slug(uow.session, "cq-laptop")
        intruder = uow.session.scalar(select(UserRow).where(UserRow.email.like("verifier@%")))
        assert intruder is not None
        uow.session.add(MembershipRow(user_id=intruder.id, organisation_id=laptop.id, role="admin"))
        uow.session.commit()  # no ledger entry
    platform.dispose()
    code, out = invoke("verify")
    assert code == 1
    assert "has no ledger entry: it was written behind the application's back" in out
