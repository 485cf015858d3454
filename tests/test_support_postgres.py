"""The private PostgreSQL server of tests/support/postgres.py."""

from __future__ import annotations

import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.support import postgres
from tests.support.postgres import (
    PostgresServer,
    clone_database,
    create_database,
    database_url,
    drop_database,
    find_pg_bin,
    libpq_url,
    running_postgres,
)
from tests.support.skips import skip_or_fail


def _require_binaries() -> None:
    if find_pg_bin() is None:
        skip_or_fail("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed")


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    _require_binaries()
    with running_postgres() as running:
        yield running


def _databases(server: PostgresServer) -> set[str]:
    with psycopg.connect(server.conninfo) as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database")}


def test_find_pg_bin_has_initdb_and_pg_ctl() -> None:
    _require_binaries()
    bin_dir = find_pg_bin()
    assert bin_dir is not None
    assert (bin_dir / "initdb").exists()
    assert (bin_dir / "pg_ctl").exists()


def test_find_pg_bin_honours_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PCFHUB_PG_BIN", str(tmp_path))
    assert find_pg_bin() is None  # an empty folder is no PostgreSQL


def test_server_answers_on_its_url(server: PostgresServer) -> None:
    assert server.url == f"postgresql+psycopg://pcfhub@127.0.0.1:{server.port}/postgres"
    with psycopg.connect(libpq_url(server.url)) as conn:
        version, user, encoding, fsync = conn.execute(
            "SELECT version(), current_user, pg_encoding_to_char(encoding), "
            "current_setting('fsync') FROM pg_database WHERE datname = current_database()"
        ).fetchone()
    assert version.startswith("PostgreSQL ")
    assert user == "pcfhub"
    assert encoding == "UTF8"
    assert fsync == "off"


def test_create_clone_drop_database(server: PostgresServer) -> None:
    source, copy = "source db", 'copy "quoted"'  # identifiers that need quoting
    create_database(server.url, source)
    with psycopg.connect(libpq_url(database_url(server.url, source))) as conn:
        conn.execute("CREATE TABLE product (name text)")
        conn.execute("INSERT INTO product VALUES ('产品碳足迹')")
    clone_database(server.url, source, copy)
    with psycopg.connect(libpq_url(database_url(server.url, copy))) as conn:
        assert conn.execute("SELECT name FROM product").fetchall() == [("产品碳足迹",)]
        conn.execute("INSERT INTO product VALUES ('only in the copy')")
    with psycopg.connect(libpq_url(database_url(server.url, source))) as conn:
        assert conn.execute("SELECT count(*) FROM product").fetchone() == (1,)
    assert {source, copy} <= _databases(server)

    # WITH (FORCE): a session still open on the copy does not stop the drop.
    with psycopg.connect(libpq_url(database_url(server.url, copy))) as open_session:
        drop_database(server.url, copy)
        with pytest.raises(psycopg.OperationalError):
            open_session.execute("SELECT 1")
    drop_database(server.url, source)
    drop_database(server.url, source)  # IF EXISTS: twice is fine
    assert not {source, copy} & _databases(server)


def test_stop_closes_port_and_removes_folder() -> None:
    _require_binaries()
    server = PostgresServer.start()
    assert _port_open(server.port)
    assert server.base_dir.is_dir()
    server.stop()
    assert not _port_open(server.port)
    assert not server.base_dir.exists()
    server.stop()  # a second stop does nothing
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.conninfo, connect_timeout=2)


def test_start_failure_reports_server_log(monkeypatch: pytest.MonkeyPatch) -> None:
    _require_binaries()
    made: list[Path] = []
    mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args: Any, **kwargs: Any) -> str:
        made.append(Path(mkdtemp(*args, **kwargs)))
        return str(made[-1])

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setattr(postgres, "_free_port", lambda: port)
        with pytest.raises(RuntimeError, match="already in use") as failure:
            PostgresServer.start()
    assert f"port {port}" in str(failure.value)
    assert len(made) == 1
    assert not made[0].exists()  # the failed start cleaned up after itself


def test_urls() -> None:
    url = "postgresql+psycopg://pcfhub@127.0.0.1:5433/postgres"
    assert libpq_url(url) == "postgresql://pcfhub@127.0.0.1:5433/postgres"
    assert database_url(url, "t1") == "postgresql+psycopg://pcfhub@127.0.0.1:5433/t1"
    named = database_url(url, 'a "b"/c')
    assert named == "postgresql+psycopg://pcfhub@127.0.0.1:5433/a%20%22b%22%2Fc"
    assert make_url(named).database == 'a "b"/c'  # SQLAlchemy reads the name back
    assert libpq_url(make_url(named)) == "postgresql://pcfhub@127.0.0.1:5433/a%20%22b%22%2Fc"
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        libpq_url("sqlite:///x.db")
