"""Factors as files: the template (docs/factors.md) as CSV or xlsx, and a JSON document.

Every reader checks the whole file before returning and raises one `DataFileError` that lists
every problem with its place: "FILE, row N, column C" for the template, "FILE, factor N, field
F" for JSON. Every writer is lossless: reading its output gives equal `FactorData`.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import tempfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, BinaryIO
from zipfile import BadZipFile

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from pydantic import ValidationError

from pcfhub.errors import DataFileError, InvalidInputError
from pcfhub.factors.model import FactorData
from pcfhub.factors.tabular import (
    COLUMN_MEANINGS,
    COLUMNS,
    NUMBER_COLUMNS,
    REQUIRED,
    blank,
    data_to_cells,
    parse_rows,
    problems_error,
    read_csv,
    write_csv,
    write_csv_stream,
)

FORMATS = ("csv", "xlsx", "json")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}
JSON_FORMAT = "pcfhub.factors"
JSON_VERSION = 1
SHEET = "factors"
# Text starting with these is a formula (or becomes one when edited) in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a broken or foreign file makes openpyxl (and zipfile, zlib, the XML parser) raise.
NOT_XLSX = (BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, SyntaxError,
            EOFError, IndexError, zlib.error)  # fmt: skip


# xlsx ----------------------------------------------------------------------------------------


def read_xlsx(path: Path) -> list[FactorData]:
    """Factors from the sheet "factors" (else the first sheet) of an xlsx in the template."""
    header, rows = _xlsx_rows(path)
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise DataFileError(f"{path.name}, row 1: missing column(s) {', '.join(missing)}.")
    return parse_rows(rows, file=path.name)


def _xlsx_rows(path: Path) -> tuple[list[str | None], list[dict[str, Any]]]:
    """The header and the data rows of the factor sheet, cells as `parse_rows` expects them."""
    with path.open("rb") as handle:
        try:
            workbook = load_workbook(handle, read_only=True, data_only=True)
        except NOT_XLSX as error:
            raise _not_xlsx(path, error) from None
        try:
            names = workbook.sheetnames
            sheet = workbook[SHEET] if SHEET in names else workbook.worksheets[0]
            sheet.reset_dimensions()  # trust the cells, not the size the file declares
            rows = sheet.iter_rows(values_only=True)
            header = _header(path, next(rows, ()))
            return header, [_row(header, cells) for cells in rows]
        except NOT_XLSX as error:
            raise _not_xlsx(path, error) from None
        finally:
            workbook.close()


def _not_xlsx(path: Path, error: Exception) -> DataFileError:
    return DataFileError(
        f"{path.name}: not a readable xlsx workbook ({type(error).__name__}: {error}); save it "
        "as an Excel workbook (.xlsx) and try again."
    )


def _header(path: Path, cells: Sequence[Any]) -> list[str | None]:
    """Column names of row 1 (None for an empty cell); a name given twice is an error."""
    header = [None if blank(cell) else str(cell).strip() for cell in cells]
    twice = sorted({name for name in header if name is not None and header.count(name) > 1})
    if twice:
        raise DataFileError(f"{path.name}, row 1: column(s) {', '.join(twice)} appear twice.")
    return header


def _row(header: Sequence[str | None], cells: Sequence[Any]) -> dict[str, Any]:
    """One row as column → value; a filled cell under no header gets a name that is reported."""
    row: dict[str, Any] = {}
    for index, value in enumerate(cells):
        name = header[index] if index < len(header) else None
        if name is not None:
            row[name] = _cell_value(name, value)
        elif not blank(value):
            row[f"{get_column_letter(index + 1)} (no header)"] = value
    return row


def _cell_value(column: str, value: Any) -> Any:
    """Numbers stay numbers in number columns; dates become ISO text; anything else is text."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return (value.date() if value.time() == time() else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        if column in NUMBER_COLUMNS:
            return value
        return repr(value) if isinstance(value, float) else str(value)
    return str(value).upper() if isinstance(value, bool) else str(value)


def write_xlsx(factors: Iterable[FactorData], target: Path | BinaryIO) -> None:
    """Factors as an xlsx workbook: sheet "factors" in the template, sheet "columns" explaining it.

    Numbers are number cells holding every digit; text is text even when it starts like a
    formula ("=…", "+…", "-…", "@…"), so the file computes nothing when opened.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, name) for name in COLUMNS])
    for factor in factors:
        cells = data_to_cells(factor)
        sheet.append([_cell(sheet, factor, name, value) for name, value in cells.items()])
    _write_columns_sheet(workbook.create_sheet("columns"))
    workbook.save(target)


def _bold(sheet: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, text)
    cell.font = Font(bold=True)
    return cell


def _cell(
    sheet: WriteOnlyWorksheet, factor: FactorData, column: str, value: str | int | float | None
) -> Any:
    """One value as a cell: text never read as a formula, floats with all 17 digits."""
    if isinstance(value, str):
        if ILLEGAL_CHARACTERS_RE.search(value):
            raise InvalidInputError(
                f"{factor.lineage_key}, column {column}: control characters cannot be stored "
                "in xlsx; export as CSV or JSON, or remove them."
            )
        cell = WriteOnlyCell(sheet, value)
        if value.startswith(FORMULA_STARTS):
            cell.data_type = "s"  # openpyxl would store "=…" as a formula
            cell.quotePrefix = True  # and Excel keeps "+…" "-…" "@…" text when edited
        return cell
    if isinstance(value, float) and math.isfinite(value) and float(f"{value:.16g}") != value:
        # openpyxl writes numbers with 16 digits ("%.16g"); this one needs 17 to read back.
        cell = WriteOnlyCell(sheet, repr(value))
        cell.data_type = "n"
        return cell
    return value


def _write_columns_sheet(sheet: WriteOnlyWorksheet) -> None:
    """The "columns" sheet: name, required yes/no and meaning of every template column."""
    sheet.freeze_panes = "A2"
    sheet.append([_bold(sheet, title) for title in ("column", "required", "meaning")])
    for name, meaning in COLUMN_MEANINGS:
        sheet.append([name, "yes" if name in REQUIRED else "no", meaning])


# JSON ----------------------------------------------------------------------------------------


def read_json(path: Path) -> list[FactorData]:
    """Factors from a JSON document: ``{"format": "pcfhub.factors", "version": 1, "factors": […]}``.

    Each item is a `FactorData` as ``model_dump(mode="json")`` writes it.
    """
    problems: list[str] = []
    factors: list[FactorData] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(_json_items(path), start=1):
        try:
            factor = FactorData.model_validate(item)
        except ValidationError as error:
            problems += [_json_problem(path, number, e["loc"], e["msg"]) for e in error.errors()]
            continue
        key = factor.lineage_key
        if key in seen:
            problems.append(
                _json_problem(path, number, ("lineage_key",), f"{key!r} is factor {seen[key]} too")
            )
            continue
        seen[key] = number
        factors.append(factor)
    if problems:
        raise problems_error(problems)
    return factors


def _json_problem(path: Path, number: int, location: Sequence[Any], message: str) -> str:
    field = ".".join(str(part) for part in location)
    return f"{path.name}, factor {number}{f', field {field}' if field else ''}: {message}"


def _json_items(path: Path) -> list[Any]:
    """The items of "factors", once the document's syntax and outer shape are right."""
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise DataFileError(f"{path.name}: not UTF-8 text (byte {error.start}).") from None
    except json.JSONDecodeError as error:
        raise DataFileError(
            f"{path.name}, line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}."
        ) from None
    except RecursionError:
        raise DataFileError(f"{path.name}: the JSON is nested too deeply to be factors.") from None
    shape = f'{{"format": "{JSON_FORMAT}", "version": {JSON_VERSION}, "factors": [...]}}'
    if not isinstance(document, dict):
        raise DataFileError(f"{path.name}: expected an object {shape}.")
    problems = []
    if document.get("format") != JSON_FORMAT:
        problems.append(f'"format" is {document.get("format")!r}, expected {JSON_FORMAT!r}')
    if document.get("version") != JSON_VERSION:
        problems.append(f'"version" {document.get("version")!r} is not {JSON_VERSION}')
    if not isinstance(document.get("factors"), list):
        problems.append('"factors" must be a list of factor objects')
    unknown = sorted(set(document) - {"format", "version", "factors"})
    if unknown:
        problems.append(f"unknown key(s) {', '.join(unknown)}")
    if problems:
        raise problems_error([f"{path.name}: {problem}; expected {shape}" for problem in problems])
    return document["factors"]


def write_json(factors: Iterable[FactorData], target: Path | BinaryIO | io.TextIOBase) -> None:
    """Factors as a UTF-8 JSON document that `read_json` reads back unchanged."""
    text = json.dumps(
        {
            "format": JSON_FORMAT,
            "version": JSON_VERSION,
            "factors": [f.model_dump(mode="json", exclude_none=True) for f in factors],
        },
        ensure_ascii=False,
        indent=2,
    )
    if isinstance(target, str | os.PathLike):
        Path(target).write_text(text + "\n", encoding="utf-8")
    elif isinstance(target, io.TextIOBase):
        target.write(text + "\n")
    else:
        target.write((text + "\n").encode("utf-8"))


# Any format ----------------------------------------------------------------------------------

Writer = Callable[[Iterable[FactorData], Path], None]
READERS: dict[str, Callable[[Path], list[FactorData]]] = {
    "csv": read_csv,
    "xlsx": read_xlsx,
    "json": read_json,
}
WRITERS: dict[str, Writer] = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}


def _format_of(path: Path) -> str:
    """The format a file name says (case-insensitive suffix), or an error naming the choices."""
    suffix = path.suffix.lower().removeprefix(".")
    if suffix not in FORMATS:
        accepted = ", ".join(f".{name}" for name in FORMATS)
        raise DataFileError(
            f"{path.name}: unknown file type {path.suffix or '(none)'!r}; use {accepted}."
        )
    return suffix


def read_factors(path: Path) -> list[FactorData]:
    """Factors from a .csv, .xlsx or .json file, chosen by its suffix."""
    return READERS[_format_of(path)](path)


def write_factors(factors: Iterable[FactorData], path: Path) -> None:
    """Factors to a .csv, .xlsx or .json file, chosen by its suffix."""
    WRITERS[_format_of(path)](factors, path)


def export_bytes(factors: Iterable[FactorData], format: str) -> bytes:
    """The contents of a file of ``format`` (csv, xlsx, json) in memory, e.g. for a download."""
    if format not in FORMATS:
        raise InvalidInputError(f"unknown format {format!r}; use {', '.join(FORMATS)}.")
    buffer = io.BytesIO()
    if format == "csv":
        text = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
        write_csv_stream(factors, text)
        text.detach()  # flushes into buffer and leaves it open
    else:
        (write_xlsx if format == "xlsx" else write_json)(factors, buffer)
    return buffer.getvalue()


UPLOAD_NAME = re.compile(r"[^A-Za-z0-9._\-\u4e00-\u9fff]+")


def read_upload(filename: str | None, content: bytes) -> list[FactorData]:
    """Factors from an uploaded file's bytes; its (cleaned) name chooses the format and names
    it in every error. An empty file is an error too."""
    name = UPLOAD_NAME.sub("_", Path(filename or "upload").name)[-100:] or "upload"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        factors = read_factors(path)
    if not factors:
        raise DataFileError(f"{name}: the file holds no factors.")
    return factors
