"""Factors as flat rows (the CSV and xlsx template, docs/factors.md): one column per field.

The whole file is read and checked before anything is used; every problem names the file, the
row (as a spreadsheet shows it: the header is row 1) and the column.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pcfhub.errors import DataFileError
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


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _group(row: Mapping[str, Any], prefix: str, names: Iterable[str]) -> dict[str, Any] | None:
    found = {name: row.get(f"{prefix}{name}") for name in names}
    found = {name: value for name, value in found.items() if not _blank(value)}
    return found or None


def row_to_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """One flat row as the nested fields of `FactorData` (blank cells are absent)."""
    data: dict[str, Any] = {name: row.get(name) for name in SCALARS if not _blank(row.get(name))}
    data["gases"] = {gas: row[gas] for gas in GAS_COLUMNS if not _blank(row.get(gas))}
    data["source"] = _group(row, "source_", SOURCE)
    for key, prefix, names in (("pedigree", "pedigree_", PEDIGREE),
                               ("uncertainty", "uncertainty_", UNCERTAINTY)):  # fmt: skip
        group = _group(row, prefix, names)
        if group is not None:
            data[key] = group
    data["licence"] = {
        "identifier": row.get("licence"),
        "redistribution": row.get("licence_redistribution"),
        **({"attribution": row["licence_attribution"]}
           if not _blank(row.get("licence_attribution")) else {}),
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
    return head


def data_to_row(factor: FactorData) -> dict[str, str]:
    """A factor as one flat row of strings (blank for absent values); `parse_rows` reads it."""
    row = dict.fromkeys(COLUMNS, "")
    dumped = factor.model_dump(mode="json", exclude_none=True)
    for name in SCALARS:
        if name in dumped:
            row[name] = repr(dumped[name]) if isinstance(dumped[name], float) else str(dumped[name])
    for gas, amount in dumped.get("gases", {}).items():
        row[gas] = repr(float(amount))
    for key, prefix in (("source", "source_"), ("pedigree", "pedigree_"),
                        ("uncertainty", "uncertainty_")):  # fmt: skip
        for name, value in dumped.get(key, {}).items():
            row[f"{prefix}{name}"] = repr(value) if isinstance(value, float) else str(value)
    licence = dumped["licence"]
    row["licence"] = licence["identifier"]
    row["licence_redistribution"] = licence["redistribution"]
    row["licence_attribution"] = licence.get("attribution", "")
    return row


def parse_rows(
    rows: Iterable[Mapping[str, Any]], *, file: str, first_row: int = 2
) -> list[FactorData]:
    """Check every row; return the factors, or raise one DataFileError listing every problem."""
    problems: list[RowProblem] = []
    factors: list[FactorData] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=first_row):
        if all(_blank(value) for value in row.values()):
            continue
        unknown = sorted(str(k) for k in row if k is not None and k not in COLUMNS)
        for column in unknown:
            problems.append(RowProblem(number, column, "is not a column of the template"))
        for column in REQUIRED:
            if _blank(row.get(column)):
                problems.append(RowProblem(number, column, "is required"))
        if unknown or any(p.row == number for p in problems):
            continue
        try:
            factor = FactorData.model_validate(row_to_data(row))
        except ValidationError as error:
            for item in error.errors():
                problems.append(RowProblem(number, _column_of(tuple(item["loc"])), item["msg"]))
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
        listed = "\n".join(
            f"  {file}, row {p.row}, column {p.column}: {p.message}" for p in problems
        )
        raise DataFileError(f"{len(problems)} problem(s), nothing was read:\n{listed}")
    return factors


def read_csv(path: Path) -> list[FactorData]:
    """Factors from a CSV file in the template (UTF-8, with or without a BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise DataFileError(f"{path.name}, row 1: missing column(s) {', '.join(missing)}.")
        return parse_rows(list(reader), file=path.name)


def write_csv(factors: Iterable[FactorData], path: Path) -> None:
    """Factors as a CSV file in the template; `read_csv` reads them back unchanged."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for factor in factors:
            writer.writerow(data_to_row(factor))
