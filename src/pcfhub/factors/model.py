"""The emission-factor record: one immutable version of a factor, with its provenance.

A factor has a stable lineage (``lineage_key``) and numbered versions. Each version states what
it is a factor for, its value per reference unit (total CO2e with the GWP set it was made with,
or per-gas values), its boundary, geography, years, source, data quality, uncertainty and
licence. No I/O here: the store and the formats translate these types.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from pcfhub.errors import UnitError
from pcfhub.factors import gwp
from pcfhub.units import parse_unit, same_dimension

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
LongText = Annotated[str, StringConstraints(max_length=5000, strip_whitespace=True)]
# ISO 3166-1 alpha-2, ISO 3166-2 (CN-CQ), China's grid regions (CN-GRID-SW), GLO, and the
# region codes LCI databases use (RER Europe, RNA North America, RAS Asia…; RoW).
GEOGRAPHY = re.compile(
    r"^(GLO|RoW|R[A-Z]{2}|[A-Z]{2}(-[A-Z0-9]{1,3})?|CN-GRID-(N|NE|E|C|NW|S|SW))$"
)
# How far `value` may lie from the per-gas sum: publishers round both.
GAS_SUM_RELATIVE_TOLERANCE = 0.005
GAS_SUM_ABSOLUTE_TOLERANCE = 1e-9


class FactorStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"
    REJECTED = "rejected"


class Boundary(StrEnum):
    """What part of the life cycle the factor covers (LCA boundary)."""

    CRADLE_TO_GATE = "cradle_to_gate"
    CRADLE_TO_GRAVE = "cradle_to_grave"
    GATE_TO_GATE = "gate_to_gate"
    COMBUSTION = "combustion"  # direct emissions of burning a fuel only
    OPERATION = "operation"  # e.g. grid electricity at consumption, operational emissions only
    LIFE_CYCLE = "life_cycle"  # e.g. electricity carbon footprint incl. upstream and T&D


class Gas(StrEnum):
    """Per-gas values a factor may carry (kg of the gas per reference unit)."""

    CO2_FOSSIL = "co2_fossil"
    CO2_BIOGENIC_EMISSION = "co2_biogenic_emission"
    CO2_BIOGENIC_REMOVAL = "co2_biogenic_removal"
    CH4_FOSSIL = "ch4_fossil"
    CH4_NON_FOSSIL = "ch4_non_fossil"
    N2O = "n2o"
    SF6 = "sf6"
    NF3 = "nf3"
    HFC_134A = "hfc_134a"
    CF4 = "cf4"
    # The other hydrofluorocarbons and perfluorocarbons of the Kyoto basket that life cycle
    # inventories report (GWP100 in data/gwp.toml).
    HFC_23 = "hfc_23"
    HFC_32 = "hfc_32"
    HFC_41 = "hfc_41"
    HFC_125 = "hfc_125"
    HFC_134 = "hfc_134"
    HFC_143 = "hfc_143"
    HFC_143A = "hfc_143a"
    HFC_152A = "hfc_152a"
    HFC_227EA = "hfc_227ea"
    HFC_236FA = "hfc_236fa"
    HFC_245FA = "hfc_245fa"
    HFC_365MFC = "hfc_365mfc"
    HFC_43_10MEE = "hfc_43_10mee"
    C2F6 = "c2f6"  # PFC-116
    C3F8 = "c3f8"  # PFC-218
    C_C4F8 = "c_c4f8"  # PFC-318, octafluorocyclobutane
    C4F10 = "c4f10"  # PFC-31-10
    C5F12 = "c5f12"  # PFC-41-12
    C6F14 = "c6f14"  # PFC-51-14


class Redistribution(StrEnum):
    """Whether the values may be passed on to others."""

    OPEN = "open"  # public domain or equivalent
    ATTRIBUTION = "attribution"  # e.g. CC BY, OGL
    SHARE_ALIKE = "share_alike"  # e.g. CC BY-SA
    NONE = "none"  # proprietary: values only to licence holders


class Traceability(StrEnum):
    """How well a shipped value is traced to its publisher."""

    PRIMARY = "primary"  # read in the publisher's own document
    SECONDARY = "secondary"  # from a faithful reproduction that names the primary document
    UNVERIFIED = "unverified"  # not traced to the publisher; shown as such, never silently


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    publisher: ShortText
    document: ShortText
    table: ShortText | None = None
    year: int = Field(ge=1900, le=2100)
    url: Annotated[str, StringConstraints(max_length=1000)] | None = None
    traceability: Traceability = Traceability.PRIMARY
    note: LongText | None = None


class Pedigree(BaseModel):
    """ecoinvent / Weidema pedigree scores, 1 (best) to 5."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reliability: int = Field(ge=1, le=5)
    completeness: int = Field(ge=1, le=5)
    temporal: int = Field(ge=1, le=5)
    geographical: int = Field(ge=1, le=5)
    technological: int = Field(ge=1, le=5)


UNCERTAINTY_NEEDS = {
    "lognormal": ("gsd",), "normal": ("sd",),
    "uniform": ("minimum", "maximum"), "triangular": ("minimum", "maximum"),
}  # fmt: skip


def _errors(model: str, problems: list[tuple[str, str, object]]) -> ValidationError:
    """A validation error with one entry per (field, message, input), each at its own field."""
    details = [
        InitErrorDetails(
            type=PydanticCustomError("inconsistent", message), loc=(field,), input=given
        )
        for field, message, given in problems
    ]
    return ValidationError.from_exception_data(model, details)


class Uncertainty(BaseModel):
    """A distribution in stats_arrays terms: lognormal (gsd), normal (sd), uniform, triangular."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    distribution: Annotated[
        str, StringConstraints(pattern=r"^(lognormal|normal|uniform|triangular)$")
    ]
    gsd: FiniteFloat | None = Field(None, gt=1)
    sd: FiniteFloat | None = Field(None, gt=0)
    minimum: FiniteFloat | None = None
    maximum: FiniteFloat | None = None

    @model_validator(mode="after")
    def _parameters_fit_the_distribution(self) -> Uncertainty:
        """Each distribution has its parameters: lognormal a gsd, normal an sd, uniform and
        triangular both bounds; a parameter of another distribution is an error, and bounds
        (for lognormal and normal: truncation) need minimum < maximum."""
        problems: list[tuple[str, str, object]] = []
        for name in UNCERTAINTY_NEEDS[self.distribution]:
            if getattr(self, name) is None:
                problems.append((name, f"a {self.distribution} distribution needs {name}", None))
        for name, owner in (("gsd", "lognormal"), ("sd", "normal")):
            if getattr(self, name) is not None and self.distribution != owner:
                message = f"{name} belongs to a {owner} distribution, not {self.distribution}"
                problems.append((name, message, getattr(self, name)))
        if self.minimum is not None and self.maximum is not None and self.minimum >= self.maximum:
            problems.append(("maximum", "maximum must be greater than minimum", self.maximum))
        if problems:
            raise _errors(type(self).__name__, problems)
        return self


class DerivedFrom(BaseModel):
    """The life cycle inventory process a factor was computed from (an LCI database release)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database: ShortText  # e.g. "USLCI"
    release: ShortText  # e.g. "FY24 Q1"
    process_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    process_name: ShortText | None = None


class Licence(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    identifier: ShortText  # SPDX id (CC-BY-4.0), "public-domain", "proprietary:<name>", …
    redistribution: Redistribution
    attribution: LongText | None = None


class FactorData(BaseModel):
    """The content of one factor version, as written by a contributor or an import."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    lineage_key: Code
    name_zh: ShortText
    name_en: ShortText
    description: LongText | None = None
    activity: Code  # what it is a factor for, e.g. electricity.grid, fuel.natural_gas
    classification: (
        Annotated[str, StringConstraints(pattern=r"^(HS|CPC|ISIC|NACE):\S+$")] | None
    ) = None
    value: FiniteFloat = Field(description="kg CO2e per reference unit (with gwp_set)")
    unit: ShortText = Field(description="The reference unit the value is per: kWh, kg, t·km…")
    gases: dict[Gas, FiniteFloat] = Field(default_factory=dict)
    # The GWP100 set a CO2e value was computed with; "unstated" when the publisher does not say.
    gwp_set: Annotated[str, StringConstraints(pattern=r"^(AR4|AR5|AR6|unstated)$")]
    boundary: Boundary
    system_model: Annotated[str, StringConstraints(max_length=64)] | None = None
    geography: str
    reference_year: int = Field(ge=1900, le=2100)  # LCI datasets reach back to the 1960s
    valid_from: date | None = None
    valid_to: date | None = None
    technology: LongText | None = None
    source: Source
    pedigree: Pedigree | None = None
    uncertainty: Uncertainty | None = None
    licence: Licence
    derived_from: DerivedFrom | None = None

    @field_validator("geography")
    @classmethod
    def _geography(cls, value: str) -> str:
        if not GEOGRAPHY.match(value):
            raise ValueError(
                "use GLO, an ISO 3166-1 code (CN), an ISO 3166-2 code (CN-CQ), a China grid "
                "region (CN-GRID-SW) or an LCI region code (RER, RNA, RoW)"
            )
        return value

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        try:
            parse_unit(value)
        except UnitError as error:
            raise ValueError(str(error)) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> FactorData:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        if same_dimension(self.unit, "kg_CO2e"):
            raise ValueError("unit is the reference unit (kWh, kg…), not the CO2e numerator")
        low, high = (self.uncertainty.minimum, self.uncertainty.maximum) if self.uncertainty else (
            None, None,
        )  # fmt: skip
        if low is not None and high is not None and not low <= self.value <= high:
            problem = f"value lies outside the uncertainty range {low:g} to {high:g}"
            raise _errors(type(self).__name__, [("value", problem, self.value)])
        return self

    @model_validator(mode="after")
    def _value_is_gas_sum(self) -> FactorData:
        """With per-gas values and a shipped GWP set (AR5, AR6), value = Σ gas × GWP100.

        Within 0.5 % of the sum plus 1e-9, as publishers round. Biogenic CO2 is reported apart
        from fossil CO2 (GB/T 24067, ISO 14067) but counts in the total: its emission at GWP 1,
        its removal (a positive amount taken up) at −1. With AR4 (not shipped) or "unstated"
        there is nothing to check against. The error is on field ``value``.
        """
        if not self.gases or self.gwp_set not in gwp.set_names():
            return self
        total = gwp.co2e(self.gases, self.gwp_set)
        allowed = GAS_SUM_RELATIVE_TOLERANCE * abs(total) + GAS_SUM_ABSOLUTE_TOLERANCE
        if abs(self.value - total) <= allowed:
            return self
        message = (
            "value {value} differs from the per-gas sum {total} kg CO2e with {gwp_set} "
            "GWP100 ({terms}); give value and gases consistently"
        )
        context = {
            "value": f"{self.value:.6g}",
            "total": f"{total:.6g}",
            "gwp_set": self.gwp_set,
            "terms": gwp.terms(self.gases, self.gwp_set),
        }
        error = PydanticCustomError("value_not_gas_sum", message, context)
        details = InitErrorDetails(type=error, loc=("value",), input=self.value)
        raise ValidationError.from_exception_data(type(self).__name__, [details])
