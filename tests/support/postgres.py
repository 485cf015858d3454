"""A private, throwaway PostgreSQL server for the test run.

    server = PostgresServer.start()      # initdb + pg_ctl start on a free port
    server.url                           # postgresql+psycopg://pcfhub@127.0.0.1:PORT/postgres
    create_database(server.url, "t1")
    clone_database(server.url, "t1", "t2")
    drop_database(server.url, "t2")
    server.stop()                        # pg_ctl -m fast stop, temp folder removed

or `with running_postgres() as server: ...`.

The cluster lives in a temp folder and trusts every local connection as role `pcfhub` (a
superuser); it listens on 127.0.0.1 only, with durability switched off for speed. initdb refuses
to run as root, so as root the binaries run as the `postgres` user (`runuser`) on a folder that
user owns. The server binaries come from Debian's `postgresql` package
(`scripts/install-system-deps`); `PCFHUB_PG_BIN` may name another folder holding initdb and
pg_ctl.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

__all__ = [
    "PostgresServer",
    "clone_database",
    "create_database",
    "database_url",
    "drop_database",
    "find_pg_bin",
    "libpq_url",
    "running_postgres",
]

PG_ROOT = Path("/usr/lib/postgresql")
USER = "pcfhub"
HOST = "127.0.0.1"
SERVER_USER = "postgres"  # the OS user the server runs as when we are root
START_TIMEOUT = 60  # seconds, for pg_ctl -w
LOG_TAIL_LINES = 40


def _is_pg_bin(path: Path) -> bool:
    return all(os.access(path / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres"))


def _version_key(path: Path) -> tuple[int, ...]:
    """Order /usr/lib/postgresql/<version>/bin by version: 9.6 < 10 < 15 < 16."""
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name))


def find_pg_bin() -> Path | None:
    """The folder with initdb and pg_ctl of the highest installed PostgreSQL, or None.

    `PCFHUB_PG_BIN`, when set, wins; otherwise /usr/lib/postgresql/*/bin (Debian's layout).
    """
    override = os.environ.get("PCFHUB_PG_BIN")
    if override:
        path = Path(override)
        return path if _is_pg_bin(path) else None
    candidates = [path for path in PG_ROOT.glob("*/bin") if _is_pg_bin(path)]
    return max(candidates, key=_version_key) if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no server log)"
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


class PostgresServer:
    """One running PostgreSQL cluster in a temp folder. Make it with `start()`."""

    def __init__(self, bin_dir: Path, base_dir: Path, port: int, run_as: str | None) -> None:
        self.bin_dir = bin_dir
        self.base_dir = base_dir
        self.data_dir = base_dir / "data"
        self.socket_dir = base_dir / "socket"
        self.log_path = base_dir / "server.log"
        self.port = port
        self.host = HOST
        self.user = USER
        self.run_as = run_as
        self._lock = threading.Lock()
        self._stopped = False

    # -- public ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the `postgres` database (psycopg 3 driver)."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/postgres"

    @property
    def conninfo(self) -> str:
        """libpq connection string of the `postgres` database, for `psycopg.connect`."""
        return f"host={self.host} port={self.port} user={self.user} dbname=postgres"

    @classmethod
    def start(cls, bin_dir: Path | None = None) -> PostgresServer:
        """initdb a new cluster in a temp folder and start it on a free port.

        Raises RuntimeError (with the tail of the server log) when it cannot.
        """
        bin_dir = bin_dir or find_pg_bin()
        if bin_dir is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                "(run scripts/install-system-deps, or set PCFHUB_PG_BIN)"
            )
        run_as = SERVER_USER if os.geteuid() == 0 else None
        owner = None
        if run_as is not None:
            try:
                owner = pwd.getpwnam(run_as)
            except KeyError:
                raise RuntimeError(
                    f"running as root, but there is no {run_as!r} user to run initdb as "
                    "(Debian's postgresql package creates it)"
                ) from None
        # As root, under /tmp: the folder must be reachable by the postgres user.
        base_dir = Path(tempfile.mkdtemp(prefix="pcfhub-pg-", dir="/tmp" if run_as else None))
        (base_dir / "socket").mkdir()
        if owner is not None:
            for path in (base_dir, base_dir / "socket"):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        server = cls(bin_dir, base_dir, _free_port(), run_as)
        atexit.register(server.stop)
        try:
            server._initdb()
            for attempt in range(3):
                if server._pg_ctl_start():
                    break
                # Another process may have taken the port between our probe and the bind.
                if attempt < 2 and "already in use" in _tail(server.log_path):
                    server.port = _free_port()
                    continue
                raise RuntimeError(
                    f"PostgreSQL did not start on port {server.port}; server log "
                    f"{server.log_path}:\n{_tail(server.log_path)}"
                )
        except BaseException:
            server.stop()
            raise
        return server

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder. Safe to call again."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run(
                    [self._bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
                    check=False,
                )
        finally:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            atexit.unregister(self.stop)

    def __enter__(self) -> PostgresServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<PostgresServer {self.url} {state}>"

    # -- internals ---------------------------------------------------------------------------

    def _bin(self, name: str) -> str:
        return str(self.bin_dir / name)

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        if self.run_as is not None:
            args = ["runuser", "-u", self.run_as, "--", *args]
        # cwd: the server user may not be able to enter ours (/root). No PG* variables.
        env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        result = subprocess.run(
            args,
            cwd=self.base_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT + 30,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{shlex.join(args)} exited {result.returncode}:\n"
                f"{result.stdout}{result.stderr}\nserver log:\n{_tail(self.log_path)}"
            )
        return result

    def _initdb(self) -> None:
        args = [
            self._bin("initdb"),
            "-D",
            str(self.data_dir),
            "-A",
            "trust",
            "-U",
            self.user,
            "-E",
            "UTF8",
            "--no-sync",
        ]
        result = self._run([*args, "--locale=C.UTF-8"], check=False)
        if result.returncode != 0:
            # An older libc without the C.UTF-8 locale: fall back to plain C.
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self._run([*args, "--no-locale"])

    def _pg_ctl_start(self) -> bool:
        options = [
            "-c listen_addresses=" + self.host,
            f"-p {self.port}",
            "-k " + shlex.quote(str(self.socket_dir)),
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
        ]
        args = [
            self._bin("pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-w",
            "-t",
            str(START_TIMEOUT),
            "-o",
            " ".join(options),
            "start",
        ]
        return self._run(args, check=False).returncode == 0


@contextlib.contextmanager
def running_postgres(bin_dir: Path | None = None) -> Iterator[PostgresServer]:
    """A started `PostgresServer`, stopped when the block ends."""
    server = PostgresServer.start(bin_dir)
    try:
        yield server
    finally:
        server.stop()


# -- databases -------------------------------------------------------------------------------


def libpq_url(url: object) -> str:
    """A SQLAlchemy URL (string or URL object) as a libpq URI that psycopg accepts."""
    render = getattr(url, "render_as_string", None)
    text = render(hide_password=False) if render is not None else str(url)
    parts = urlsplit(text)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {text!r}")
    # Percent-encode the database name: SQLAlchemy renders spaces in it as they are.
    database = quote(unquote(parts.path.lstrip("/")), safe="")
    return urlunsplit(parts._replace(scheme="postgresql", path="/" + database))


def database_url(url: object, name: str) -> str:
    """`url` (SQLAlchemy URL string or object) pointing at database `name` instead."""
    render = getattr(url, "render_as_string", None)
    text = render(hide_password=False) if render is not None else str(url)
    return urlunsplit(urlsplit(text)._replace(path="/" + quote(name, safe="")))


def _execute(url: object, statement: sql.Composable) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(statement)


def create_database(url: object, name: str) -> None:
    """CREATE DATABASE name (connecting to the database of `url`)."""
    _execute(url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def clone_database(url: object, template: str, name: str) -> None:
    """CREATE DATABASE name TEMPLATE template: a copy of `template`, schema and rows.

    PostgreSQL refuses while anyone is connected to `template`: dispose of engines first.
    """
    _execute(
        url,
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(template)
        ),
    )


def drop_database(url: object, name: str) -> None:
    """DROP DATABASE IF EXISTS name, closing any sessions still connected to it."""
    _execute(url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
