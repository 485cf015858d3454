from pathlib import Path

import pytest

from pcfhub.demo import demo_path, load_gwp, load_model
from pcfhub.errors import DataFileError


def test_gwp_sets_carry_sources_and_ar6_values() -> None:
    ar6, citation = load_gwp("AR6")
    assert ar6["CH4_fossil"] == 29.8
    assert ar6["CH4_non_fossil"] == 27.0
    assert ar6["N2O"] == 273.0
    assert "Table 7.15" in citation
    ar5, _ = load_gwp("AR5")
    assert ar5["N2O"] == 265.0
    with pytest.raises(DataFileError, match="no GWP set 'AR9'"):
        load_gwp("AR9")


def test_laptop_model_is_marked_illustrative_and_solves() -> None:
    model = load_model()
    assert model.illustrative
    lca = model.system.factorize()
    every = lca.process_footprints.scores
    index = {pid: i for i, pid in enumerate(model.process_ids)}
    # Grid electricity is the MEE 2023 footprint factor itself.
    assert every[index["grid_electricity"]] == pytest.approx(0.6205)
    # CHP ↔ gas loop, by hand: e = 10.5 MJ gas · 56.1 g/MJ + 10.5 · g, g = 0.002 e.
    chp = 10.5 * 0.0561 / (1 - 10.5 * 0.002)
    assert every[index["chp_electricity"]] == pytest.approx(chp, rel=1e-12)
    # Road transport: 1 t·km burns 1.1 MJ diesel at 74.1 g/MJ; the model asks in kg·km.
    assert every[index["inbound_transport"]] == pytest.approx(1.1 * 0.0741)
    result = lca.footprint({model.reference: 1.0})
    assert set(result.by_group()) == {"production", "raw_materials", "distribution"}
    assert sum(result.by_group().values()) == pytest.approx(result.score)
    assert all(key in model.factor_sources for key in ("cn_grid_2023", "diesel_combustion"))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_model_files_name_file_and_field(tmp_path: Path) -> None:
    original = demo_path().read_text(encoding="utf-8")
    broken_unit = original.replace('amount = 95, unit = "kWh"', 'amount = 95, unit = "kg"')
    with pytest.raises(DataFileError, match=r"processes\[1\].*inputs\[0\].*'kg'.*'kWh'"):
        load_model(write(tmp_path, broken_unit))
    unknown = original.replace('{ process = "display"', '{ process = "screen"')
    with pytest.raises(DataFileError, match="unknown process 'screen'"):
        load_model(write(tmp_path, unknown))
    with pytest.raises(DataFileError, match="not valid TOML"):
        load_model(write(tmp_path, "[meta\n"))
    bad_pedigree = original.replace("pedigree = [2, 2, 1, 1, 1]", "pedigree = [2, 2, 9, 1, 1]", 1)
    with pytest.raises(DataFileError, match="pedigree"):
        load_model(write(tmp_path, bad_pedigree))
