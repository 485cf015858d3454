"""Settings: development defaults, refusals elsewhere, ``PCFHUB_*`` variables, the dev secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from pcfhub.config import MIN_SECRET_LENGTH, Settings
from pcfhub.errors import ConfigurationError, PcfhubError

GOOD_SECRET = "s" * MIN_SECRET_LENGTH
PG_URL = "postgresql+psycopg://pcfhub@db.internal/pcfhub"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No PCFHUB_* variable of the machine running the tests leaks into these."""
    for name in list(os.environ):
        if name.startswith("PCFHUB_"):
            monkeypatch.delenv(name)


def test_development_accepts_the_defaults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.environment == "development"
    assert (settings.database_url, settings.secret_key) == (None, None)
    assert settings.resolved_database_url == f"sqlite:///{(tmp_path / 'pcfhub.sqlite3').resolve()}"
    assert settings.resolved_ledger_key_file == tmp_path / "keys" / "ledger-ed25519.pem"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.default_language == "zh"


def test_the_default_database_is_sqlite_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=Path("var"))  # relative: made absolute
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'var' / 'pcfhub.sqlite3'}"


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"database_url": PG_URL}, "PCFHUB_SECRET_KEY is not set"),
        (
            {"database_url": PG_URL, "secret_key": SecretStr("s" * (MIN_SECRET_LENGTH - 1))},
            f"PCFHUB_SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters",
        ),
        ({"secret_key": SecretStr(GOOD_SECRET)}, "PCFHUB_DATABASE_URL is not set"),
        (
            {
                "database_url": PG_URL,
                "secret_key": SecretStr(GOOD_SECRET),
                "tls_certfile": Path("cert.pem"),
            },
            "PCFHUB_TLS_KEYFILE",
        ),
    ],
)
def test_production_refuses_unsafe_settings(values: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named) as error:
        Settings(environment="production", **values)  # type: ignore[arg-type]
    assert isinstance(error.value, PcfhubError)
    assert "production" in str(error.value)


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ConfigurationError) as error:
        Settings(environment="production")
    assert "PCFHUB_SECRET_KEY" in str(error.value)
    assert "PCFHUB_DATABASE_URL" in str(error.value)


def test_production_with_safe_settings(tmp_path: Path) -> None:
    settings = Settings(
        environment="production", database_url=PG_URL, secret_key=SecretStr(GOOD_SECRET)
    )
    assert settings.resolved_database_url == PG_URL
    assert settings.secret() == GOOD_SECRET.encode()


def test_the_test_environment_needs_a_secret_but_not_a_database() -> None:
    with pytest.raises(ConfigurationError, match="PCFHUB_SECRET_KEY"):
        Settings(environment="test")
    assert Settings(environment="test", secret_key=SecretStr(GOOD_SECRET)).database_url is None


def test_settings_come_from_pcfhub_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PCFHUB_ENVIRONMENT", "production")
    monkeypatch.setenv("PCFHUB_DATABASE_URL", PG_URL)
    monkeypatch.setenv("PCFHUB_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("PCFHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PCFHUB_PORT", "8443")
    monkeypatch.setenv("PCFHUB_PUBLIC_URL", "https://pcf.example.cn/")
    monkeypatch.setenv("PCFHUB_SIGN_IN_MAX_FAILURES", "7")
    monkeypatch.setenv("PCFHUB_DEFAULT_LANGUAGE", "en")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///not-ours.sqlite3")  # no prefix: ignored
    settings = Settings()
    assert settings.environment == "production"
    assert settings.database_url == PG_URL
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == GOOD_SECRET
    assert GOOD_SECRET not in repr(settings)
    assert settings.data_dir == tmp_path
    assert settings.port == 8443
    assert settings.base_url == "https://pcf.example.cn"
    assert settings.sign_in_max_failures == 7
    assert settings.default_language == "en"


def test_an_unsafe_environment_from_variables_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PCFHUB_ENVIRONMENT", "production")
    monkeypatch.setenv("PCFHUB_DATABASE_URL", PG_URL)
    with pytest.raises(ConfigurationError, match="PCFHUB_SECRET_KEY"):
        Settings()


def test_the_development_secret_is_made_once_and_kept_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = Settings(data_dir=data_dir).secret()
    path = data_dir / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= MIN_SECRET_LENGTH
    assert path.read_text().strip().encode() == first
    assert Settings(data_dir=data_dir).secret() == first  # a new process reads the same one
    assert Settings(data_dir=tmp_path / "elsewhere").secret() != first


def test_an_explicit_secret_writes_no_file(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr(GOOD_SECRET))
    assert settings.secret() == GOOD_SECRET.encode()
    assert not (tmp_path / "secret_key").exists()
