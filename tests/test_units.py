import pytest

from pcfhub.errors import UnitError
from pcfhub.units import conversion_factor, convert, parse_unit, same_dimension


@pytest.mark.parametrize(
    ("amount", "source", "target", "expected"),
    [
        (1.2, "MWh", "kWh", 1200.0),
        (1.0, "kWh", "MJ", 3.6),
        (3.0, "t", "kg", 3000.0),
        (3.0, "吨", "kg", 3000.0),
        (2.0, "千瓦时", "kWh", 2.0),
        (1500.0, "kg*km", "t*km", 1.5),
        (1.0, "tkm", "t·km", 1.0),
        (2.0, "m³", "L", 2000.0),
        (5.0, "立方米", "m**3", 5.0),
        (4.0, "件", "pcs", 4.0),
        (1.0, "tCO2e", "kgCO2e", 1000.0),
        (10.0, "km", "公里", 10.0),
        (1.0, "TJ", "MJ", 1e6),
    ],
)
def test_conversions(amount: float, source: str, target: str, expected: float) -> None:
    assert convert(amount, source, target) == pytest.approx(expected)


def test_incompatible_dimensions_name_both_units() -> None:
    with pytest.raises(UnitError, match="'kg'.*'kWh'.*dimensions differ"):
        conversion_factor("kg", "kWh")


def test_co2e_is_not_a_plain_mass() -> None:
    with pytest.raises(UnitError):
        convert(1.0, "kgCO2e", "kg")


@pytest.mark.parametrize("text", ["", "  ", "furlongz", "kg//"])
def test_unknown_or_malformed_units(text: str) -> None:
    with pytest.raises(UnitError):
        parse_unit(text)


def test_same_dimension() -> None:
    assert same_dimension("kWh", "MJ")
    assert not same_dimension("piece", "kg")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1/kg", "1 / kilogram"), ("kg/(t*km)", "kilogram / kilometer / metric_ton"),
     ("(kg)**2", "kilogram ** 2"), ("kg ** -1", "1 / kilogram"), ("kg^2", "kilogram ** 2")],
)  # fmt: skip
def test_unit_expressions(text: str, expected: str) -> None:
    assert str(parse_unit(text)) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("10**10**10", "cannot be parsed"),  # pint would evaluate this for ever
        ("1/0", "cannot be parsed"),  # and divide by zero here
        ("1e999 kg", "cannot be parsed"),
        ("kg**2**3", "power must follow"),
        ("kg**999", "cannot be parsed"),
        ("k" * 101, "longer than 100"),
    ],
)
def test_numbers_never_reach_pint(text: str, why: str) -> None:
    with pytest.raises(UnitError, match=why):
        parse_unit(text)
