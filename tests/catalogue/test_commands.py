"""`pcfhub init` loads the seed catalogue once; `pcfhub catalogue …` lists, shows, diffs and
imports, in process on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from pcfhub.catalogue.reference import SEED_CATALOGUE
from pcfhub.catalogue.store import CatalogueVersionRow
from pcfhub.cli import app
from pcfhub.platform.context import Platform
from tests.support.cli import cli_platform

runner = CliRunner()


@pytest.fixture
def cli_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Platform]:
    with cli_platform(database_url, tmp_path / "data", monkeypatch, demo=True) as platform:
        yield platform


def test_init_loads_the_seed_once_and_the_commands_read_it(cli_env: Platform) -> None:
    first = runner.invoke(app, ["init"])
    again = runner.invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    assert "Seed catalogue 名录: 9 rule(s) published, catalogue version 1" in first.output
    assert "Seed catalogue" not in again.output  # nothing left to load
    listed = runner.invoke(app, ["catalogue", "list"])
    shown = runner.invoke(app, ["catalogue", "show", "--day", "2026-01-01"])
    rules = runner.invoke(app, ["catalogue", "rules"])
    rule = runner.invoke(app, ["catalogue", "rule", "cq.methanol"])
    assert "2025-10-01" in listed.output
    assert (
        "computer.portable  便携式计算机（笔记本电脑） / Portable computer (laptop, notebook)  "
        "[HS 8471.30 CPC 45220]"
    ) in shown.output
    assert "cq.methanol" in rules.output
    assert "T/CPCIF 0467-2025" in rule.output
    assert "← in force" in rule.output
    early = runner.invoke(app, ["catalogue", "show", "--day", "2025-01-01"])
    assert early.exit_code == 2
    assert "No catalogue version is in force on 2025-01-01" in early.output


def test_import_publishes_a_new_version_and_diff_names_the_changes(
    cli_env: Platform, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    text = SEED_CATALOGUE.read_text(encoding="utf-8")
    changed = text.replace("effective_from = 2025-10-01", "effective_from = 2026-07-01").replace(
        'management = "voluntary"\nrule_code = "cq.equipment"\ncode_sources = { "8479.50"',
        'management = "encouraged"\nrule_code = "cq.equipment"\ncode_sources = { "8479.50"',
    )
    assert changed.count("2026-07-01") == 1
    version_2 = tmp_path / "catalogue-v2.toml"
    version_2.write_text(changed, encoding="utf-8")
    command = ["catalogue", "import", str(version_2), "--organisation"]
    refused = runner.invoke(app, [*command, "cq-battery"])
    assert refused.exit_code == 2
    assert "Only regulators and the platform operator" in refused.output
    imported = runner.invoke(app, [*command, "regulator"])
    assert imported.exit_code == 0, imported.output
    assert "Catalogue version 2 published, in force from 2026-07-01." in imported.output
    diff = runner.invoke(app, ["catalogue", "diff", "1", "2"])
    assert "effective_from: 2025-10-01 → 2026-07-01" in diff.output
    assert "~ equipment.industrial-robot" in diff.output
    assert "management: voluntary → encouraged" in diff.output


def test_a_bad_file_names_its_problems_and_writes_nothing(
    cli_env: Platform, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title_zh: x\ntitle_en: y\neffective_from: 2026-01-01\nsectors:\n"
                   "  - code: s\n    name_zh: 行业\n    name_en: S\n    categories:\n"
                   "      - code: c\n        name_zh: 品类\n        name_en: C\n"
                   "        hs_codes: ['8507.60', '85']\n        management: required\n",
                   encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["catalogue", "import", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml, sectors[0].categories[0].hs_codes[1]" in result.output
    unsourced = tmp_path / "unsourced.yaml"
    unsourced.write_text(bad.read_text(encoding="utf-8").replace("'85'", "'8507.10'"),
                         encoding="utf-8")  # fmt: skip
    result = runner.invoke(app, ["catalogue", "import", str(unsourced)])
    assert result.exit_code == 2
    assert (
        "unsourced.yaml, sectors[0].categories[0].hs_codes[0]: the code names no source"
    ) in result.output
    with cli_env.unit_of_work(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(CatalogueVersionRow)) == 0
