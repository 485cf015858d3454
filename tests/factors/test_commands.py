"""`pcfhub factors …` in process, on both databases."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pcfhub.cli import app
from pcfhub.config import Settings, get_settings
from pcfhub.factors.service import reference_files
from pcfhub.factors.tabular import read_csv, write_csv
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo

runner = CliRunner()


@pytest.fixture
def cli_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Platform]:
    for name, value in {
        "PCFHUB_ENVIRONMENT": "test",
        "PCFHUB_DATA_DIR": str(tmp_path / "data"),
        "PCFHUB_DATABASE_URL": database_url,
        "PCFHUB_SECRET_KEY": "factor-cli-secret-" + "z" * 40,
        "COLUMNS": "200",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    platform = Platform.from_settings(Settings())
    platform.init()
    yield platform
    platform.dispose()
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_reference_data_is_published_once_and_exported_unchanged(
    cli_env: Platform, tmp_path: Path
) -> None:
    shipped = [f for path in reference_files() for f in read_csv(path)]
    code, out = invoke("factors", "import-reference")
    assert code == 0, out
    published = [int(line.split(": ")[1].split()[0]) for line in out.splitlines() if ": " in line]
    assert sum(published) == len(shipped)
    code, out = invoke("factors", "import-reference")
    assert code == 0
    assert " 0 published" in out
    exported = tmp_path / "published.csv"
    code, out = invoke("factors", "export", str(exported))
    assert code == 0, out
    assert sorted(read_csv(exported), key=lambda f: f.lineage_key) == sorted(
        shipped, key=lambda f: f.lineage_key
    )
    code, out = invoke("factors", "show", "cn.mee.electricity.grid.region.sw.2023")
    assert code == 0, out
    assert "[published]" in out
    assert "CN-GRID-SW 2023" in out


def test_a_bad_file_names_row_and_column_and_writes_nothing(
    cli_env: Platform, tmp_path: Path
) -> None:
    seed_demo(cli_env)
    good = read_csv(reference_files()[0])[:3]
    path = tmp_path / "mine.csv"
    write_csv([f.model_copy(update={"lineage_key": f"cq-battery.{i}"}) for i, f in enumerate(good)],
              path)  # fmt: skip
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[1]["geography"] = "Chongqing"
    rows[2]["value"] = "lots"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out = invoke("factors", "import", str(path), "--organisation", "cq-battery")
    assert code == 2
    assert "mine.csv, row 3, column geography" in out
    assert "mine.csv, row 4, column value" in out
    code, out = invoke("factors", "export", str(tmp_path / "drafts.csv"), "--status", "draft")
    assert "0 draft factor version(s)" in out  # nothing was written
    rows[1]["geography"], rows[2]["value"] = "CN-CQ", "0.5"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out = invoke("factors", "import", str(path), "--organisation", "cq-battery")
    assert code == 0, out
    assert "3 draft(s) created for cq-battery" in out
