"""Settings: one object, read from ``PCFHUB_*`` environment variables through `get_settings()`.

Every field is documented in docs/configuration.md (a test fails on an undocumented one). Unsafe
defaults are accepted only in the development environment.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from pcfhub.errors import ConfigurationError

Environment = Literal["development", "test", "production"]
Language = Literal["zh", "en"]
JobBackend = Literal["in_process", "dask"]
LANGUAGES: tuple[str, ...] = get_args(Language)  # the UI languages, zh first

MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    """pcfhub's settings; each field is ``PCFHUB_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="PCFHUB_", extra="ignore", frozen=True)

    environment: Environment = Field(
        "development",
        description="development, test or production. Outside development, secrets and the "
        "database must be set explicitly.",
    )
    data_dir: Path = Field(
        Path("var"),
        description="Folder for the embedded SQLite database, the ledger key and the "
        "development secret.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/db. Default: a "
        "SQLite file pcfhub.sqlite3 in data_dir (refused in production).",
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key that signs access tokens and CSRF tokens, at least 32 characters. "
        "Default in development: a random key kept in data_dir/secret_key.",
    )
    ledger_key_file: Path | None = Field(
        None,
        description="PEM file of the ledger's Ed25519 signing key (created by pcfhub init). "
        "Default: data_dir/keys/ledger-ed25519.pem.",
    )
    host: str = Field("127.0.0.1", description="Address pcfhub serve listens on.")
    port: int = Field(8000, ge=1, le=65535, description="Port pcfhub serve listens on.")
    public_url: str | None = Field(
        None,
        description="The URL users reach the platform at (behind a reverse proxy), used as "
        "token issuer. Default: http(s)://host:port.",
    )
    tls_certfile: Path | None = Field(
        None, description="PEM certificate chain; with tls_keyfile, serve HTTPS."
    )
    tls_keyfile: Path | None = Field(None, description="PEM private key for tls_certfile.")
    session_max_age_s: int = Field(
        8 * 3600, ge=60, description="Web sessions end this many seconds after sign-in."
    )
    access_token_ttl_s: int = Field(
        900, ge=30, le=86400, description="Lifetime of OAuth2 client-credentials tokens."
    )
    sign_in_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins in a row that lock an account."
    )
    sign_in_lockout_s: int = Field(
        900, ge=1, description="How long a locked account stays locked, in seconds."
    )
    max_request_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, description="Largest request body accepted, in bytes."
    )
    default_language: Language = Field(
        "zh", description="Language of the web UI before a user picks one (zh or en)."
    )
    job_backend: JobBackend = Field(
        "in_process",
        description="Where jobs run: in_process (threads of the serving process) or dask (the "
        "workers of the Dask distributed cluster at dask_scheduler; install pcfhub[dask]).",
    )
    dask_scheduler: str | None = Field(
        None,
        description="Address of the Dask scheduler when job_backend is dask, e.g. "
        "tcp://127.0.0.1:8786.",
    )
    pact_ca_bundle: Path | None = Field(
        None,
        description="PEM file of certificate authorities trusted when calling other PACT host "
        "systems (default: the system's trust store).",
    )
    pact_private_hosts: bool = Field(
        False,
        description="In production, whether PACT partners may be on loopback, private or "
        "link-local addresses (a partner inside the same private network).",
    )
    pact_outbox_interval_s: float = Field(
        5.0,
        gt=0,
        le=3600,
        description="How often the server sends due PACT events (answers, notifications).",
    )

    @model_validator(mode="after")
    def _dask_needs_a_scheduler(self) -> Settings:
        if self.job_backend == "dask" and not self.dask_scheduler:
            raise ConfigurationError(
                "PCFHUB_JOB_BACKEND is dask but PCFHUB_DASK_SCHEDULER is not set; set it to "
                "the scheduler's address, e.g. tcp://127.0.0.1:8786. See docs/configuration.md."
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        if self.environment == "development":
            return self
        problems = []
        if self.secret_key is None:
            problems.append("PCFHUB_SECRET_KEY is not set")
        elif len(self.secret_key.get_secret_value()) < MIN_SECRET_LENGTH:
            problems.append(f"PCFHUB_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters")
        if self.environment == "production" and self.database_url is None:
            problems.append("PCFHUB_DATABASE_URL is not set")
        if (self.tls_certfile is None) != (self.tls_keyfile is None):
            problems.append("set both PCFHUB_TLS_CERTFILE and PCFHUB_TLS_KEYFILE, or neither")
        if problems:
            raise ConfigurationError(
                f"Unsafe settings for environment {self.environment!r}: "
                + "; ".join(problems)
                + ". See docs/configuration.md."
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to the SQLite file in data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'pcfhub.sqlite3').resolve()}"

    @property
    def resolved_ledger_key_file(self) -> Path:
        return self.ledger_key_file or self.data_dir / "keys" / "ledger-ed25519.pem"

    @property
    def tls(self) -> bool:
        return self.tls_certfile is not None and self.tls_keyfile is not None

    @property
    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def secret(self) -> bytes:
        """The signing secret; in development a random one kept in data_dir/secret_key."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write a whole file under a temporary name, then link it into place: two
            # processes starting at once agree on one secret, and none reads a half-written one.
            temporary = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
            temporary.unlink()
        return path.read_text().strip().encode()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
