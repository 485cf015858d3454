"""`pcfhub factors …` in process, on both databases."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pcfhub.cli import app
from pcfhub.factors import service, usage
from pcfhub.factors.formats import read_factors, write_factors
from pcfhub.factors.reference import reference_files
from pcfhub.factors.schemas import UsageRecord
from pcfhub.factors.tabular import read_csv, write_csv
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo
from tests.factors.builders import PROPRIETARY, acting, publish, record
from tests.support.cli import cli_platform

runner = CliRunner()


@pytest.fixture
def cli_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Platform]:
    with cli_platform(database_url, tmp_path / "data", monkeypatch) as platform:
        yield platform


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
    original_value = rows[2]["value"]
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
    rows[1]["geography"], rows[2]["value"] = "CN-CQ", original_value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    code, out = invoke("factors", "import", str(path), "--organisation", "cq-battery")
    assert code == 0, out
    assert "3 draft(s) created for cq-battery" in out


def test_xlsx_and_json_import_apply_and_the_usage_statement(
    cli_env: Platform, tmp_path: Path
) -> None:
    signed_in = seed_demo(cli_env)
    assert invoke("factors", "import-reference")[0] == 0
    for kind in ("xlsx", "json"):
        exported = tmp_path / f"published.{kind}"
        code, out = invoke("factors", "export", str(exported))
        assert code == 0, out
        assert read_factors(exported) == read_factors(tmp_path / "published.xlsx")
    mine = tmp_path / "mine.xlsx"
    write_factors([record(key="cq-battery.cell"), record(key="cq-battery.pack")], mine)
    code, out = invoke("factors", "import", str(mine), "--organisation", "cq-battery")
    assert code == 0, out
    assert "2 draft(s) created" in out

    code, out = invoke("factors", "apply", "ipcc2006.fuel.natural_gas.co2", "1000", "GJ")
    assert code == 0, out
    assert out.startswith("56100 kg CO2e")  # 1000 GJ = 1 TJ x 56,100 kg CO2/TJ
    code, out = invoke("factors", "apply", "ipcc2006.fuel.natural_gas.co2", "1", "kg")
    assert code == 2
    assert "dimensions differ" in out

    demo = {sign_in.organisation: sign_in for sign_in in signed_in}
    laptop = demo["cq-laptop"]
    with cli_env.unit_of_work() as uow:
        version_id = publish(
            uow, acting(demo["cq-battery"]), acting(demo["operator"]), record(key="cq.sold")
        )
        usage.record_usage(
            uow, principal=acting(laptop), organisation_id=laptop.organisation_id,
            usage=UsageRecord(result_kind="result", result_id="r1", version_ids=[version_id]),
        )  # fmt: skip
        uow.commit()
    today = date.today().isoformat()
    code, out = invoke("factors", "usage", "--organisation", "cq-battery", "--start", today,
                       "--end", today)  # fmt: skip
    assert code == 0, out
    assert "cq.sold" in out
    assert "1 use(s) by 1 organisation(s)" in out
    code, out = invoke("factors", "usage", "--organisation", "cq-battery", "--start", "2026-02-30",
                       "--end", today)  # fmt: skip
    assert code == 2


def _listed(out: str) -> list[str]:
    """The ``key vN`` of every factor line a search printed, in order."""
    return re.findall(r"\[(\S+ v\d+)\]$", out, flags=re.MULTILINE)


@pytest.fixture
def contributed(cli_env: Platform) -> None:
    """cq-battery's factors: two publishers, one proprietary, a superseded and a withdrawn one."""
    demo = {sign_in.organisation: sign_in for sign_in in seed_demo(cli_env)}
    maker, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    cells = {"publisher": "Chongqing Cells", "document": "EPD 2025-02", "year": 2025}
    with cli_env.unit_of_work() as uow:
        publish(uow, maker, reviewer, record(key="cq-battery.steel"))  # Acme Steel, attribution
        publish(uow, maker, reviewer, record(key="cq-battery.cell", source=cells, value=61.5))
        publish(uow, maker, reviewer, record(key="cq-battery.secret", value=1.2345,
                                              licence=PROPRIETARY))  # fmt: skip
        publish(uow, maker, reviewer, record(key="cq-battery.pack", value=80.0))
        publish(uow, maker, reviewer, record(key="cq-battery.pack", value=79.0))  # supersedes v1
        gone = publish(uow, maker, reviewer, record(key="cq-battery.recalled", value=5.0))
        service.withdraw(uow, principal=maker, version_id=gone)
        uow.commit()


def test_search_withholds_proprietary_values_and_says_where_the_page_lies(
    contributed: None,
) -> None:
    code, out = invoke("factors", "search", "cq-battery secret")
    assert code == 0, out
    assert _listed(out) == ["cq-battery.secret v1"]
    assert "withheld (licence needed) kg CO2e/kg  CN-CQ 2025" in out
    assert "1.2345" not in out
    code, out = invoke("factors", "search", "cq-battery", "--limit", "1", "--offset", "1")
    assert code == 0, out
    assert out.startswith("results 2–2 of 4\n")  # steel, cell, secret and pack v2
    assert len(_listed(out)) == 1
    code, out = invoke("factors", "search", "cq-battery", "--offset", "4")
    assert out.startswith("no results from 5: 4 found")


def test_search_filters_by_publisher_licence_and_status(contributed: None) -> None:
    code, out = invoke("factors", "search", "--publisher", "Chongqing Cells")
    assert code == 0, out
    assert _listed(out) == ["cq-battery.cell v1"]
    assert "61.5 kg CO2e/kg" in out
    code, out = invoke("factors", "search", "--publisher", "Acme")
    assert sorted(_listed(out)) == ["cq-battery.pack v2", "cq-battery.secret v1",
                                    "cq-battery.steel v1"]  # fmt: skip
    code, out = invoke("factors", "search", "--redistribution", "none")
    assert code == 0, out
    assert _listed(out) == ["cq-battery.secret v1"]
    code, out = invoke("factors", "search", "--redistribution", "attribution")
    assert sorted(_listed(out)) == ["cq-battery.cell v1", "cq-battery.pack v2",
                                    "cq-battery.steel v1"]  # fmt: skip
    code, out = invoke("factors", "search", "--status", "superseded")
    assert code == 0, out
    assert _listed(out) == ["cq-battery.pack v1"]
    assert "80 kg CO2e/kg" in out
    code, out = invoke("factors", "search", "--status", "withdrawn")
    assert _listed(out) == ["cq-battery.recalled v1"]
    code, out = invoke("factors", "search")
    assert "cq-battery.pack v1" not in out
    assert "cq-battery.recalled" not in out


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # refused before the query
@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--status", "draft", "Invalid value for '--status'"),
        ("--redistribution", "free", "Invalid value for '--redistribution'"),
        ("--boundary", "cradle", "Invalid value for '--boundary'"),
        ("--year", "1800", "--year: Input should be greater than or equal to 1990"),
        ("--offset", "-1", "Invalid value for '--offset'"),
        ("--unit", "bananas", "Unit error"),
    ],
)
def test_a_bad_search_option_is_named_without_a_traceback(
    cli_env: Platform, option: str, value: str, message: str
) -> None:
    result = runner.invoke(app, ["factors", "search", option, value])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
