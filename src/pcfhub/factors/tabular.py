"""Factors as flat rows (the CSV and xlsx template, docs/factors.md): one column per field.

The whole file is read and checked before anything is used; every problem names the file, the
row (as a spreadsheet shows it: the header is row 1) and the column.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from pcfhub.errors import DataFileError, InvalidInputError
from pcfhub.factors.model import FactorData, Gas

GAS_COLUMNS = tuple(gas.value for gas in Gas)
COLUMNS = (
    "lineage_key", "name_zh", "name_en", "description", "activity", "classification",
    "value", "unit", "gwp_set", *GAS_COLUMNS,
    "boundary", "system_model", "geography", "reference_year", "valid_from", "valid_to",
    "technology",
    "source_publisher", "source_document", "source_table", "source_year", "source_url",
    "source_traceability", "source_note",
    "pedigree_reliability", "pedigree_completeness", "pedigree_temporal",
    "pedigree_geographical", "pedigree_technological",
    "uncertainty_distribution", "uncertainty_gsd", "uncertainty_sd", "uncertainty_minimum",
    "uncertainty_maximum",
    "licence", "licence_redistribution", "licence_attribution",
    "derived_database", "derived_release", "derived_process_id", "derived_process_name",
)  # fmt: skip
REQUIRED = ("lineage_key", "name_zh", "name_en", "activity", "value", "unit", "gwp_set", "boundary",
            "geography", "reference_year", "source_publisher", "source_document", "source_year",
            "licence", "licence_redistribution")  # fmt: skip
SCALARS = (
    "lineage_key", "name_zh", "name_en", "description", "activity", "classification", "value",
    "unit", "gwp_set", "boundary", "system_model", "geography", "reference_year", "valid_from",
    "valid_to", "technology",
)  # fmt: skip
PEDIGREE = ("reliability", "completeness", "temporal", "geographical", "technological")
UNCERTAINTY = ("distribution", "gsd", "sd", "minimum", "maximum")
SOURCE = ("publisher", "document", "table", "year", "url", "traceability", "note")
DERIVED = ("database", "release", "process_id", "process_name")
# Columns whose cells are numbers (a spreadsheet may hold them as numbers); all others are text.
NUMBER_COLUMNS = (
    "value", *GAS_COLUMNS, "reference_year", "source_year",
    *(f"pedigree_{name}" for name in PEDIGREE),
    "uncertainty_gsd", "uncertainty_sd", "uncertainty_minimum", "uncertainty_maximum",
)  # fmt: skip
GAS_MEANINGS = {
    "co2_fossil": "fossil CO2",
    "co2_biogenic_emission": "biogenic CO2 emitted",
    "co2_biogenic_removal": "biogenic CO2 taken up (a positive amount; counts at GWP -1)",
    "ch4_fossil": "fossil CH4",
    "ch4_non_fossil": "non-fossil (biogenic) CH4",
    "n2o": "N2O",
    "sf6": "SF6",
    "nf3": "NF3",
    "hfc_134a": "HFC-134a",
    "cf4": "CF4 (PFC-14)",
    "hfc_23": "HFC-23", "hfc_32": "HFC-32", "hfc_41": "HFC-41", "hfc_125": "HFC-125",
    "hfc_134": "HFC-134", "hfc_143": "HFC-143", "hfc_143a": "HFC-143a", "hfc_152a": "HFC-152a",
    "hfc_227ea": "HFC-227ea", "hfc_236fa": "HFC-236fa", "hfc_245fa": "HFC-245fa",
    "hfc_365mfc": "HFC-365mfc", "hfc_43_10mee": "HFC-43-10mee",
    "c2f6": "C2F6 (PFC-116)", "c3f8": "C3F8 (PFC-218)", "c_c4f8": "c-C4F8 (PFC-318)",
    "c4f10": "C4F10 (PFC-31-10)", "c5f12": "C5F12 (PFC-41-12)", "c6f14": "C6F14 (PFC-51-14)",
}  # fmt: skip
# What each column means (docs/factors.md), in the order of COLUMNS.
COLUMN_MEANINGS: tuple[tuple[str, str], ...] = (
    ("lineage_key", "stable id of the factor across versions, e.g. "
                    "cn.mee.electricity.grid.national.2023"),
    ("name_zh", "name in Chinese"),
    ("name_en", "name in English"),
    ("description", "free text"),
    ("activity", "what it is a factor for, dotted: electricity.grid, fuel.natural_gas"),
    ("classification", "product code HS:…, CPC:…, ISIC:… or NACE:…"),
    ("value", "kg CO2e per reference unit"),
    ("unit", "the reference unit (pint): kWh, kg, t, TJ, t*km, piece, m**3…"),
    ("gwp_set", "GWP100 set the CO2e was computed with: AR5, AR6, or unstated when the "
                "publisher does not say"),
    *((gas, f"kg of {label} per reference unit; when gases are given, value = Σ gas × GWP100 "
            "of gwp_set") for gas, label in GAS_MEANINGS.items()),
    ("boundary", "cradle_to_gate, cradle_to_grave, gate_to_gate, combustion, operation or "
                 "life_cycle"),
    ("system_model", "e.g. cutoff, apos, consequential"),
    ("geography", "GLO, ISO 3166-1 (CN), ISO 3166-2 (CN-CQ), or a China grid region "
                  "CN-GRID-N/NE/E/C/NW/S/SW"),
    ("reference_year", "the year the data describe"),
    ("valid_from", "ISO date (YYYY-MM-DD) from which the factor applies"),
    ("valid_to", "ISO date (YYYY-MM-DD) until which the factor applies"),
    ("technology", "free text"),
    ("source_publisher", "who published the value"),
    ("source_document", "the document it was published in"),
    ("source_table", "the table read"),
    ("source_year", "the year the document was published"),
    ("source_url", "the address actually read"),
    ("source_traceability", "primary (the publisher's document was read), secondary (a "
                            "faithful reproduction) or unverified"),
    ("source_note", "how the value was obtained; required in practice for secondary and "
                    "unverified"),
    *((f"pedigree_{name}", f"ecoinvent pedigree score for {name}, 1 (best) to 5")
      for name in PEDIGREE),
    ("uncertainty_distribution", "lognormal (gsd), normal (sd), uniform or triangular "
                                 "(minimum, maximum)"),
    ("uncertainty_gsd", "geometric standard deviation of a lognormal distribution (> 1)"),
    ("uncertainty_sd", "standard deviation of a normal distribution"),
    ("uncertainty_minimum", "lower bound of a uniform or triangular distribution"),
    ("uncertainty_maximum", "upper bound of a uniform or triangular distribution"),
    ("licence", "SPDX id (CC-BY-4.0), public-domain, proprietary:<terms>…"),
    ("licence_redistribution", "open, attribution, share_alike or none (values only to "
                               "licence holders)"),
    ("licence_attribution", "text to show with the values"),
    ("derived_database", "for a factor computed from an LCI database: its name (e.g. USLCI)"),
    ("derived_release", "the database release"),
    ("derived_process_id", "the process's id in that release"),
    ("derived_process_name", "the process's name"),
)  # fmt: skip


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


def blank(value: Any) -> bool:
    """An empty cell: None, or text of only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def _group(row: Mapping[str, Any], prefix: str, names: Iterable[str]) -> dict[str, Any] | None:
    found = {name: row.get(f"{prefix}{name}") for name in names}
    found = {name: value for name, value in found.items() if not blank(value)}
    return found or None


def row_to_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """One flat row as the nested fields of `FactorData` (blank cells are absent)."""
    data: dict[str, Any] = {name: row.get(name) for name in SCALARS if not blank(row.get(name))}
    data["gases"] = {gas: row[gas] for gas in GAS_COLUMNS if not blank(row.get(gas))}
    data["source"] = _group(row, "source_", SOURCE)
    for key, prefix, names in (("pedigree", "pedigree_", PEDIGREE),
                               ("uncertainty", "uncertainty_", UNCERTAINTY),
                               ("derived_from", "derived_", DERIVED)):  # fmt: skip
        group = _group(row, prefix, names)
        if group is not None:
            data[key] = group
    data["licence"] = {
        "identifier": row.get("licence"),
        "redistribution": row.get("licence_redistribution"),
        **({"attribution": row["licence_attribution"]}
           if not blank(row.get("licence_attribution")) else {}),
    }  # fmt: skip
    return data


def _column_of(location: tuple[Any, ...]) -> str:
    """The template column a pydantic error location points at."""
    parts = [str(p) for p in location]
    if not parts:
        return "(row)"
    head = parts[0]
    if head == "gases" and len(parts) > 1:
        return parts[1]
    if head == "licence" and len(parts) > 1:
        return "licence" if parts[1] == "identifier" else f"licence_{parts[1]}"
    if head in ("source", "pedigree", "uncertainty") and len(parts) > 1:
        return f"{head}_{parts[1]}"
    if head == "derived_from" and len(parts) > 1:
        return f"derived_{parts[1]}"
    return head


def data_to_cells(factor: FactorData) -> dict[str, str | int | float | None]:
    """A factor as one flat row of JSON scalars in the order of COLUMNS (None when absent)."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    dumped = factor.model_dump(mode="json", exclude_none=True)
    for name in SCALARS:
        row[name] = dumped.get(name)
    for gas, amount in dumped.get("gases", {}).items():
        row[gas] = float(amount)
    for key, prefix in (("source", "source_"), ("pedigree", "pedigree_"),
                        ("uncertainty", "uncertainty_"), ("derived_from", "derived_")):  # fmt: skip
        for name, value in dumped.get(key, {}).items():
            row[f"{prefix}{name}"] = value
    licence = dumped["licence"]
    row["licence"] = licence["identifier"]
    row["licence_redistribution"] = licence["redistribution"]
    row["licence_attribution"] = licence.get("attribution")
    return row


def data_to_row(factor: FactorData) -> dict[str, str]:
    """A factor as one flat row of strings (blank for absent values); `parse_rows` reads it."""
    return {name: _text(value) for name, value in data_to_cells(factor).items()}


def _text(value: str | int | float | None) -> str:
    """A cell as CSV text; floats in full (repr) so that they read back exactly."""
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def problems_error(problems: Sequence[str]) -> DataFileError:
    """One error listing every problem of a file (each naming file, place and field)."""
    listed = "\n".join(f"  {problem}" for problem in problems)
    return DataFileError(f"{len(problems)} problem(s), nothing was read:\n{listed}")


def _check_row(row: Mapping[str, Any]) -> tuple[FactorData | None, list[tuple[str, str]]]:
    """One row as a factor, or the (column, message) problems that stop it."""
    problems = [
        (str(k), "is not a column of the template")
        for k in sorted(str(k) for k in row if k is not None and k not in COLUMNS)
    ]
    problems += [(column, "is required") for column in REQUIRED if blank(row.get(column))]
    if problems:
        return None, problems
    try:
        return FactorData.model_validate(row_to_data(row)), []
    except ValidationError as error:
        return None, [(_column_of(tuple(item["loc"])), item["msg"]) for item in error.errors()]


def parse_row(row: Mapping[str, Any]) -> FactorData:
    """One row typed into a form: the factor, or an InvalidInputError naming every column."""
    factor, problems = _check_row(row)
    if factor is None:
        raise InvalidInputError("\n".join(f"{column}: {message}" for column, message in problems))
    return factor


def parse_rows(
    rows: Iterable[Mapping[str, Any]], *, file: str, first_row: int = 2
) -> list[FactorData]:
    """Check every row; return the factors, or raise one DataFileError listing every problem."""
    problems: list[RowProblem] = []
    factors: list[FactorData] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=first_row):
        if all(blank(value) for value in row.values()):
            continue
        factor, found = _check_row(row)
        problems += [RowProblem(number, column, message) for column, message in found]
        if factor is None:
            continue
        if factor.lineage_key in seen:
            problems.append(
                RowProblem(
                    number,
                    "lineage_key",
                    f"{factor.lineage_key!r} appears already in row {seen[factor.lineage_key]}",
                )
            )
            continue
        seen[factor.lineage_key] = number
        factors.append(factor)
    if problems:
        raise problems_error([f"{file}, row {p.row}, column {p.column}: {p.message}"
                              for p in problems])  # fmt: skip
    return factors


def read_csv(path: Path) -> list[FactorData]:
    """Factors from a CSV file in the template (UTF-8, with or without a BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            fieldnames = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in fieldnames]
            if missing:
                raise DataFileError(f"{path.name}, row 1: missing column(s) {', '.join(missing)}.")
            rows = list(reader)
        except UnicodeDecodeError as error:
            raise DataFileError(
                f"{path.name}: not UTF-8 text (byte {error.start} of a block near row "
                f"{reader.line_num + 1}); save the file as CSV UTF-8."
            ) from None
        except csv.Error as error:  # e.g. a field longer than csv.field_size_limit()
            raise DataFileError(f"{path.name}, row {reader.line_num}: {error}.") from None
        return parse_rows(rows, file=path.name)


def write_csv(factors: Iterable[FactorData], path: Path) -> None:
    """Factors as a CSV file in the template; `read_csv` reads them back unchanged."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        write_csv_stream(factors, handle)


def write_csv_stream(factors: Iterable[FactorData], handle: TextIO) -> None:
    """Factors as CSV text in the template, to a text stream opened with ``newline=""``."""
    writer = csv.DictWriter(handle, fieldnames=COLUMNS)
    writer.writeheader()
    for factor in factors:
        writer.writerow(data_to_row(factor))
