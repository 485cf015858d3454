"""One pint unit registry for all of pcfhub.

Activity data arrive in whatever unit a factory records (t, kWh, 千瓦时, m³, t·km, pieces); every
amount is converted to the unit its factor or process declares before it enters a calculation.
Use :func:`convert` or :func:`conversion_factor`; both raise :class:`~pcfhub.errors.UnitError`
with the offending unit named, never pint's own exceptions.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pint

from pcfhub.errors import UnitError

# Units that LCA data use and pint does not define, plus the Chinese names found on
# factory records. A piece (件, 个, 台) is a count; CO2e gets its own dimension so that a
# footprint is never silently added to a plain mass of CO2.
_DEFINITIONS = """
piece = [count] = pcs = pc = item = unit_piece = 件 = 个 = 台 = 只
gram_CO2e = [co2e] = gCO2e = g_CO2e
kilogram_CO2e = 1000 * gram_CO2e = kgCO2e = kg_CO2e
tonne_CO2e = 1e6 * gram_CO2e = tCO2e = t_CO2e
tonne_kilometer = tonne * kilometer = tkm = t_km
kilometer_tonne = tonne * kilometer
person_kilometer = piece * kilometer = pkm
千克 = kilogram = 公斤
克 = gram
吨 = metric_ton
千瓦时 = kilowatt_hour
兆瓦时 = megawatt_hour
兆焦 = megajoule
吉焦 = gigajoule
立方米 = meter ** 3 = 方
升 = liter
平方米 = meter ** 2
公里 = kilometer = 千米
吨公里 = tonne_kilometer
"""


@lru_cache(maxsize=1)
def get_registry() -> pint.UnitRegistry:
    """The project's registry, built once on first use."""
    registry = pint.UnitRegistry(autoconvert_offset_to_baseunit=True, cache_folder=None)
    for line in _DEFINITIONS.strip().splitlines():
        registry.define(line)
    return registry


# A unit expression is names joined by *, / and parentheses, with small integer powers after a
# name or a bracket, and "1" as a numerator ("1/kg"). Nothing else reaches pint: its parser
# evaluates numbers, so "10**10**10" would run for ever and "1/0" would divide by zero.
UNIT_MAX_LENGTH = 100
_UNIT_TOKEN = re.compile(
    r"\s*(?:(?P<name>[^\W\d]\w*|%)|(?P<power>(?:\*\*|\^)\s*[-+]?\d{1,2}(?![\d.]))"
    r"|(?P<one>1(?![\w.]))|(?P<op>[*/()]))"
)


def _check_unit_syntax(text: str, cleaned: str) -> None:
    position, previous = 0, None
    while position < len(cleaned):
        token = _UNIT_TOKEN.match(cleaned, position)
        if token is None or token.end() == position:
            raise UnitError(
                f"Unit {text!r} cannot be parsed at {cleaned[position:].strip()!r}: write unit "
                "names joined by '*', '/' and brackets, with powers such as 'm**3'."
            )
        kind = token.lastgroup
        if kind == "power" and previous not in ("name", ")"):
            raise UnitError(f"Unit {text!r}: a power must follow a unit name or a bracket.")
        previous = token.group("op") if kind == "op" else kind
        position = token.end()


def parse_unit(text: str) -> pint.Unit:
    """Parse a unit such as ``"kWh"``, ``"t*km"``, ``"m**3"`` or ``"千瓦时"``."""
    if not isinstance(text, str) or not text.strip():
        raise UnitError(f"Unit {text!r} is empty; give a unit such as 'kg', 'kWh' or 't*km'.")
    if len(text) > UNIT_MAX_LENGTH:
        raise UnitError(f"Unit {text[:20]!r}… is longer than {UNIT_MAX_LENGTH} characters.")
    cleaned = text.strip().replace("·", "*").replace("³", "**3").replace("²", "**2")
    _check_unit_syntax(text, cleaned)
    try:
        return get_registry().parse_units(cleaned)
    except (pint.UndefinedUnitError, pint.errors.DefinitionSyntaxError, AttributeError) as error:
        raise UnitError(
            f"Unit {text!r} is not known; use a unit such as 'kg', 't', 'kWh', 'MJ', 'm**3', "
            f"'km', 't*km' or 'piece'."
        ) from error
    # pint's expression parser fails on malformed input ("kg//") with assertions.
    except (SyntaxError, TypeError, ValueError, AssertionError, ArithmeticError) as error:
        raise UnitError(f"Unit {text!r} cannot be parsed: {error}.") from error


@lru_cache(maxsize=4096)
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """The number that turns an amount in ``from_unit`` into one in ``to_unit`` (cached: a
    model converts the same few pairs thousands of times; errors are not cached)."""
    source, target = parse_unit(from_unit), parse_unit(to_unit)
    registry = get_registry()
    try:
        return float(registry.Quantity(1.0, source).to(target).magnitude)
    except pint.DimensionalityError as error:
        raise UnitError(
            f"Cannot convert {from_unit!r} ({registry.get_dimensionality(source)}) to "
            f"{to_unit!r} ({registry.get_dimensionality(target)}): the dimensions differ. "
            "Check that the activity and the factor or process measure the same thing."
        ) from error


def convert(amount: float, from_unit: str, to_unit: str) -> float:
    """Convert ``amount`` from ``from_unit`` to ``to_unit`` (e.g. 1.2 MWh -> 1200 kWh)."""
    return float(amount) * conversion_factor(from_unit, to_unit)


def same_dimension(unit_a: str, unit_b: str) -> bool:
    """Whether amounts in the two units can be converted into each other."""
    registry = get_registry()
    return registry.get_dimensionality(parse_unit(unit_a)) == registry.get_dimensionality(
        parse_unit(unit_b)
    )
