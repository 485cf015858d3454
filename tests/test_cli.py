from typer.testing import CliRunner

from pcfhub import __version__
from pcfhub.cli import app
from pcfhub.demo import load_model

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


def test_calc_prints_the_laptop_footprint() -> None:
    result = runner.invoke(app, ["calc", "--iterations", "200"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stdout
    model = load_model()
    score = model.system.factorize().footprint({model.reference: 1.0}).score
    assert f"{score:,.2f} kg CO2e" in result.stdout
    assert "ILLUSTRATIVE" in result.stdout
    assert "raw materials" in result.stdout
    assert "95% interval" in result.stdout
    assert "Table 7.15" in result.stdout


def test_calc_reports_a_bad_model_file(tmp_path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[meta]\nname = 'x'\n", encoding="utf-8")
    result = runner.invoke(app, ["calc", "--model", str(path)])
    assert result.exit_code == 2
    assert "field 'gwp_set'" in result.stdout or "flows" in result.stdout
