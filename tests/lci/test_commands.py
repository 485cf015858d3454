"""`pcfhub lci …` and `pcfhub calc` with an LCI background, in process, on both databases;
and the three real USLCI releases imported one after the other as releases of one database."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from pcfhub.cli import app
from pcfhub.factors.store import FactorVersionRow
from pcfhub.platform.context import Platform
from pcfhub.platform.store import JobRow
from tests.lci.builders import P_ELECTRICITY, P_STEEL, STEEL, PackageBuilder
from tests.lci.test_background import write_model
from tests.lci.test_jsonld import PER_MJ, STEEL_PER_KG
from tests.lci.test_uslci import RELEASES
from tests.support.cli import cli_platform
from tests.support.shared import uslci_archive

runner = CliRunner()
IMPORT = ["lci", "import", "--publisher", "pcfhub tests", "--licence", "CC0-1.0",
          "--year", "2025", "--redistribution", "open"]  # fmt: skip


@pytest.fixture
def cli_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Platform]:
    with cli_platform(database_url, tmp_path / "data", monkeypatch, demo=True) as platform:
        yield platform


def test_import_list_show_products_and_a_model_on_the_release(
    cli_env: Platform, tmp_path: Path
) -> None:
    package = PackageBuilder(v1=True).standard().write_zip(tmp_path / "lci.zip")
    imported = runner.invoke(
        app, [*IMPORT, str(package), "--database", "Test LCI", "--release", "R1"]
    )
    assert imported.exit_code == 0, imported.output
    assert "3 products, 3 factors published" in imported.output
    release_id = re.search(r"Release ([0-9a-f-]{36})", imported.output).group(1)
    listed = runner.invoke(app, ["lci", "list"])
    shown = runner.invoke(app, ["lci", "show", release_id])
    products = runner.invoke(app, ["lci", "products", release_id, "steel"])
    again = runner.invoke(app, [*IMPORT, str(package), "--database", "Test LCI", "--release", "R1"])
    assert release_id in listed.output
    assert "physical (data)" in shown.output
    assert f"{STEEL_PER_KG:12.5g} kg CO2e/kg  Steel, at plant" in products.output
    assert again.exit_code == 2
    assert "imported already" in again.output
    with cli_env.unit_of_work(read_only=True) as uow:
        statuses = sorted(uow.session.scalars(select(JobRow.status)))
    assert statuses == ["failed", "succeeded"]  # each import is a job, the refused one too
    model = write_model(tmp_path, lci="Test LCI/R1", steel=P_STEEL, product=STEEL,
                        electricity=P_ELECTRICITY)  # fmt: skip
    calc = runner.invoke(app, ["calc", "--model", str(model), "--iterations", "0"])
    assert calc.exit_code == 0, calc.output
    expected = 2 * STEEL_PER_KG + 0.5 * 3.6 * PER_MJ + 0.1
    assert f"{expected:,.2f} kg CO2e" in calc.output


def test_a_file_that_is_no_lci_package_fails_clearly(cli_env: Platform, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, [*IMPORT, str(tmp_path / "empty"), "--database", "X",
                                 "--release", "1"])  # fmt: skip
    assert result.exit_code == 2
    assert "neither an openLCA JSON-LD package" in result.output
    with cli_env.unit_of_work(read_only=True) as uow:
        assert uow.session.scalar(select(func.count()).select_from(FactorVersionRow)) == 0


def test_the_three_uslci_releases_import_as_successive_releases(cli_env: Platform) -> None:
    """FY17 (JSON-LD), FY18 (EcoSpold 2) and FY20 (EcoSpold 1): each publishes its products;
    FY18 shares FY17's process ids, so its factors are new versions of the same lineages."""
    published = {}
    for kind, release in (("json-ld", "FY17"), ("ecospold2", "FY18"), ("ecospold1", "FY20")):
        result = runner.invoke(app, [*IMPORT, str(uslci_archive(RELEASES[kind][0])), "--database",
                                     "USLCI", "--release", release])  # fmt: skip
        assert result.exit_code == 0, result.output
        published[release] = int(re.search(r"(\d+) factors published", result.output).group(1))
    assert published == {"FY17": 884, "FY18": 864, "FY20": 726}
    with cli_env.unit_of_work(read_only=True) as uow:
        second_versions = uow.session.scalar(
            select(func.count()).select_from(FactorVersionRow).where(FactorVersionRow.version == 2)
        )
    assert second_versions > 800  # FY18 re-published FY17's lineages; nothing overwritten
