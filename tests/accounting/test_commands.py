"""`pcfhub calc MODEL.yaml` and `pcfhub accounting recompute`, in process, on both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from pcfhub.accounting import service
from pcfhub.cli import app
from pcfhub.factors.model import FactorData
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo
from tests.accounting.builders import FACTORS, widget
from tests.accounting.test_calculate import LOCATION, MARKET
from tests.factors.builders import acting, publish
from tests.support.cli import cli_platform

runner = CliRunner()


@pytest.fixture
def cli_env(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Platform]:
    with cli_platform(database_url, tmp_path / "data", monkeypatch) as platform:
        demo = {s.organisation: s for s in seed_demo(platform)}
        with platform.unit_of_work() as uow:
            for data in FACTORS.values():
                publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), data)
            uow.commit()
        platform.demo = demo  # type: ignore[attr-defined]
        yield platform


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "widget.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_calc_prints_tables_and_json(cli_env: Platform, tmp_path: Path) -> None:
    path = _write(tmp_path, widget())
    shown = runner.invoke(app, ["calc", str(path), "--iterations", "50"])
    assert shown.exit_code == 0, shown.output
    assert f"{MARKET:,.3f} kg CO2e" in shown.output
    assert f"{LOCATION:,.3f}" in shown.output
    assert "Hot spots" in shown.output
    assert "Not saved" in shown.output
    as_json = runner.invoke(app, ["calc", str(path), "--iterations", "0", "--json"])
    assert as_json.exit_code == 0, as_json.output
    result = json.loads(as_json.output)
    assert result["location_based"]["total"] == pytest.approx(LOCATION)
    assert result["uncertainty"] is None


def test_calc_saves_as_an_organisation_and_recompute_replaces(
    cli_env: Platform, tmp_path: Path
) -> None:
    path = _write(tmp_path, widget())
    saved = runner.invoke(
        app, ["calc", str(path), "--iterations", "0", "--organisation", "cq-laptop", "--save"]
    )
    assert saved.exit_code == 0, saved.output
    assert "Saved as result" in saved.output
    demo = cli_env.demo  # type: ignore[attr-defined]
    steel = FACTORS["test.steel"].model_dump() | {
        "value": 2.5,
        "gases": {"co2_fossil": 2.202, "ch4_fossil": 0.01},
    }
    with cli_env.unit_of_work() as uow:
        publish(
            uow,
            acting(demo["cq-battery"]),
            acting(demo["operator"]),
            FactorData.model_validate(steel),
        )
        uow.commit()
    swept = runner.invoke(app, ["accounting", "recompute"])
    assert swept.exit_code == 0, swept.output
    assert "1 results recomputed in 1 organisations" in swept.output
    laptop = acting(demo["cq-laptop"])
    with cli_env.unit_of_work(read_only=True) as uow:
        results = service.list_results(uow, principal=laptop).data
        assert len(results) == 2
        newest = results[0] if results[0].replaces_id else results[1]
        assert newest.location_total == pytest.approx(LOCATION + 2.2 * 0.5)


def test_calc_names_the_place_of_a_bad_model(cli_env: Platform, tmp_path: Path) -> None:
    data = widget()
    data["processes"][0]["exchanges"][1]["amount"] = "lots"
    shown = runner.invoke(app, ["calc", str(_write(tmp_path, data))])
    assert shown.exit_code == 2
    assert "widget.yaml, processes[0].exchanges[1].amount" in shown.output.replace("\n", "")
    unsaved = runner.invoke(app, ["calc", str(_write(tmp_path, widget())), "--save"])
    assert unsaved.exit_code == 2
    assert "--save needs --organisation" in unsaved.output
