"""The factor record's CO2e value agrees with its per-gas values (GWP100 of its set).

Worked by hand with gwp.toml: AR6 CH4 fossil 29.8, CH4 non-fossil 27.0, N2O 273; AR5 CH4
fossil 30, N2O 265; CO2 1 in both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from pcfhub.errors import DataFileError
from pcfhub.factors import gwp
from pcfhub.factors.model import Gas
from pcfhub.factors.tabular import data_to_row, read_csv, write_csv
from tests.factors.builders import record

# 2 kg CO2 + 0.01 kg CH4 + 0.001 kg N2O
GASES = {"co2_fossil": 2.0, "ch4_fossil": 0.01, "n2o": 0.001}
AR6_TOTAL = 2.0 + 0.01 * 29.8 + 0.001 * 273  # 2.571
AR5_TOTAL = 2.0 + 0.01 * 30 + 0.001 * 265  # 2.565


def value_error(**changes: object) -> str:
    """The message of the error on field `value` that ``record(**changes)`` raises."""
    with pytest.raises(ValidationError) as raised:
        record(**changes)
    (error,) = raised.value.errors()
    assert error["loc"] == ("value",)
    return error["msg"]


@pytest.mark.parametrize(("gwp_set", "total"), [("AR6", AR6_TOTAL), ("AR5", AR5_TOTAL)])
def test_value_equal_to_the_gas_sum_passes(gwp_set: str, total: float) -> None:
    factor = record(value=round(total, 3), gases=GASES, gwp_set=gwp_set)
    assert factor.value == {"AR6": 2.571, "AR5": 2.565}[gwp_set]


def test_ch4_non_fossil_uses_its_own_gwp() -> None:
    record(value=2.7, gases={"ch4_non_fossil": 0.1}, gwp_set="AR6")  # 0.1 × 27.0
    assert "2.98" in value_error(value=2.7, gases={"ch4_fossil": 0.1}, gwp_set="AR6")


def test_an_inconsistent_value_is_an_error_on_value_that_shows_the_sum() -> None:
    message = value_error(value=2.0, gases=GASES, gwp_set="AR6")
    assert message == (
        "value 2 differs from the per-gas sum 2.571 kg CO2e with AR6 GWP100 "
        "(co2_fossil 2×1 + ch4_fossil 0.01×29.8 + n2o 0.001×273); give value and gases "
        "consistently"
    )
    # the set matters: 1 g SF6 is 25.2 kg CO2e in AR6, 23.5 in AR5
    record(value=25.2, gases={"sf6": 0.001}, gwp_set="AR6")
    assert "sum 23.5 kg CO2e with AR5" in value_error(
        value=25.2, gases={"sf6": 0.001}, gwp_set="AR5"
    )


def test_tolerance_is_half_a_percent_of_the_sum_plus_1e_9() -> None:
    record(value=AR6_TOTAL * 1.0049, gases=GASES, gwp_set="AR6")
    record(value=AR6_TOTAL * 0.9951, gases=GASES, gwp_set="AR6")
    value_error(value=AR6_TOTAL * 1.0051, gases=GASES, gwp_set="AR6")
    value_error(value=AR6_TOTAL * 0.9949, gases=GASES, gwp_set="AR6")
    record(value=0.9e-9, gases={"co2_fossil": 0.0}, gwp_set="AR6")
    value_error(value=1.1e-9, gases={"co2_fossil": 0.0}, gwp_set="AR6")


@pytest.mark.parametrize("gwp_set", ["unstated", "AR4"])
def test_without_a_shipped_gwp_set_nothing_is_checked(gwp_set: str) -> None:
    assert record(value=99.0, gases=GASES, gwp_set=gwp_set).value == 99.0


def test_no_gases_nothing_is_checked() -> None:
    assert record(value=99.0, gwp_set="AR6").gases == {}


def test_biogenic_co2_emission_counts_plus_one_and_removal_minus_one() -> None:
    gases = {"co2_fossil": 1.0, "co2_biogenic_emission": 0.5, "co2_biogenic_removal": 0.8}
    assert record(value=0.7, gases=gases).value == 0.7  # 1 + 0.5 − 0.8
    message = value_error(value=2.3, gases=gases)  # the removal added instead
    assert "0.7 kg CO2e" in message
    assert "− co2_biogenic_removal 0.8×1" in message


def test_a_template_row_with_an_inconsistent_value_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    write_csv([record(value=2.571, gases=GASES)], path)
    text = path.read_text(encoding="utf-8").replace(",2.571,", ",2.0,")
    path.write_text(text, encoding="utf-8")
    assert data_to_row(record(value=2.571, gases=GASES))["value"] == "2.571"
    with pytest.raises(DataFileError, match=r"mine\.csv, row 2, column value: value 2 differs"):
        read_csv(path)


def test_every_gas_has_a_gwp_in_every_shipped_set() -> None:
    assert set(gwp.GAS_KEYS) == {gas.value for gas in Gas}
    assert gwp.set_names() == {"AR5", "AR6"}
    for name in gwp.set_names():
        assert set(gwp.gwp100(name)) == set(gwp.GAS_KEYS)
    assert gwp.gwp100("AR6")["ch4_fossil"] == 29.8
    assert gwp.gwp100("AR5")["n2o"] == 265.0
    # HFCs and PFCs, openclimatedata/globalwarmingpotentials (commit 1c337f7bc11a): HFC-23
    # 12400 (AR5) → 14600 (AR6); HFC-43-10mee the only HFC or PFC here that AR6 lowers, 1650 → 1600.
    assert (gwp.gwp100("AR5")["hfc_23"], gwp.gwp100("AR6")["hfc_23"]) == (12400.0, 14600.0)
    assert (gwp.gwp100("AR5")["hfc_43_10mee"], gwp.gwp100("AR6")["hfc_43_10mee"]) == (1650, 1600)
    assert (gwp.gwp100("AR5")["c_c4f8"], gwp.gwp100("AR6")["c_c4f8"]) == (9540.0, 10200.0)
    with pytest.raises(DataFileError, match="no GWP set 'AR4'"):
        gwp.gwp100("AR4")


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf"])
def test_values_must_be_finite_numbers(bad: str) -> None:
    with pytest.raises(ValidationError, match="value"):
        record(value=float(bad))
    with pytest.raises(ValidationError, match="gases"):
        record(gases={"co2_fossil": float(bad)})


@pytest.mark.parametrize(
    ("uncertainty", "field", "message"),
    [
        ({"distribution": "lognormal"}, "gsd", "a lognormal distribution needs gsd"),
        ({"distribution": "normal"}, "sd", "a normal distribution needs sd"),
        ({"distribution": "uniform", "maximum": 3.0}, "minimum", "needs minimum"),
        ({"distribution": "triangular", "minimum": 1.0}, "maximum", "needs maximum"),
        ({"distribution": "normal", "sd": 0.1, "gsd": 1.2}, "gsd", "belongs to a lognormal"),
        ({"distribution": "uniform", "minimum": 3.0, "maximum": 1.0}, "maximum", "greater than"),
        ({"distribution": "lognormal", "gsd": float("inf")}, "gsd", "finite"),
    ],
)
def test_uncertainty_parameters_fit_their_distribution(
    uncertainty: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        record(uncertainty=uncertainty)
    (error,) = raised.value.errors()
    assert error["loc"] == ("uncertainty", field)
    assert message in error["msg"]


def test_the_value_lies_within_its_uncertainty_range() -> None:
    triangular = {"distribution": "triangular", "minimum": 1.8, "maximum": 2.5}
    assert record(value=2.1, uncertainty=triangular).uncertainty is not None
    assert value_error(value=2.6, uncertainty=triangular).startswith(
        "value lies outside the uncertainty range 1.8 to 2.5"
    )


def test_a_template_row_names_the_uncertainty_column_at_fault(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    write_csv([record(uncertainty={"distribution": "lognormal", "gsd": 1.2})], path)
    text = path.read_text(encoding="utf-8").replace(",lognormal,1.2,", ",lognormal,,")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=r"row 2, column uncertainty_gsd: .*needs gsd"):
        read_csv(path)
