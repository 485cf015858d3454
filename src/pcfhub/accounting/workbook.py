"""Product models as an xlsx workbook: the template factory carbon managers fill in Excel or WPS.

The sheets and columns are in `workbook_layout`. Sheet ``product`` lists the product's fields
as rows (field, value, meaning); every other data sheet holds one record per row. Row 1 holds the
English keys the reader uses, row 2 their Chinese labels, data start on row 3; an empty cell is
an absent field. ``instructions`` and ``lists`` (the drop-down values) are not read.

Reading evaluates nothing: a formula is an error asking for values. Every problem names the file,
sheet, row and column (``widget.xlsx, sheet exchanges, row 5, column amount: not a number
('abc')``) and one `DataFileError` lists them all. Text is written with OOXML's ``_xHHHH_``
escapes for what XML cannot hold (CR, control characters), as Excel does, so
``read_workbook(f, write_workbook(m))`` validates to ``m``.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from pcfhub.accounting import workbook_layout as layout
from pcfhub.accounting.formats import MAX_PROBLEMS
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.workbook_layout import FIRST_ROW, MAX_ROWS, Column, template
from pcfhub.errors import DataFileError
from pcfhub.factors.formats import FORMULA_STARTS, NOT_XLSX

MAX_WORKBOOK_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a zip bomb stops here
TRUE, FALSE = ("true", "yes", "y", "1", "是"), ("false", "no", "n", "0", "否")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_UNSAFE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]")
Record = dict[str, Any]
Cells = list[tuple[Any, str]]  # (value, openpyxl data type) of one row's cells
Path = tuple[str | int, ...]
Rows = list[tuple[int, Record]]  # (row number, column → typed value)


# Writing -------------------------------------------------------------------------------------


def write_workbook(model: ProductModel) -> bytes:
    """The model in the template; `read_workbook` reads it back to the same model."""
    book = template()
    data = model.model_dump(mode="json", exclude_none=True)
    for row, column in enumerate(layout.PRODUCT, start=FIRST_ROW):
        _set(book["product"].cell(row, 2), layout.value_at(data, column.path))
    for name, records in layout.records(data).items():
        for row, record in enumerate(records, start=FIRST_ROW):
            for index, column in enumerate(layout.TABLES[name], start=1):
                _set(book[name].cell(row, index), record.get(column.name))
    return _save(book)


def blank_template() -> bytes:
    """The empty template with headers, drop-down lists and instructions, for download."""
    return _save(template())


def _set(cell: Cell, value: Any) -> None:
    """A value as a cell: text never a formula, floats with all 17 digits."""
    if value is None:
        return
    if isinstance(value, str):
        text = _UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", value) or " "  # "" reads None
        cell.value = text
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        cell.quotePrefix = text.startswith(FORMULA_STARTS)  # and Excel keeps "+…" text
    elif isinstance(value, float) and float(f"{value:.16g}") != value:
        cell.value = repr(value)  # openpyxl writes "%.16g"; this one needs 17 digits
        cell.data_type = "n"
    else:
        cell.value = value


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Reading -------------------------------------------------------------------------------------


def read_workbook(file: str, content: bytes) -> dict[str, Any]:
    """A product model's data from a workbook in the template; every problem in one error."""
    return _Reader(file).read(_load(file, content))


def _load(file: str, content: bytes) -> dict[str, list[Cells]]:
    """The rows of every sheet (the first is row 1), read without evaluating anything."""
    if len(content) > MAX_WORKBOOK_BYTES:
        raise DataFileError(f"{file}: larger than {MAX_WORKBOOK_BYTES // 2**20} MiB.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > MAX_UNPACKED_BYTES:
            raise DataFileError(f"{file}: unpacks to over {MAX_UNPACKED_BYTES // 2**20} MiB.")
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except NOT_XLSX as error:
        raise _not_xlsx(file, error) from None
    try:
        return {name: _rows(file, name, book[name]) for name in book.sheetnames}
    except NOT_XLSX as error:
        raise _not_xlsx(file, error) from None
    finally:
        book.close()


def _not_xlsx(file: str, error: Exception) -> DataFileError:
    return DataFileError(
        f"{file}: not a readable xlsx workbook ({type(error).__name__}); save it as an Excel "
        "workbook (.xlsx) and try again."
    )


def _rows(file: str, name: str, sheet: Any) -> list[Cells]:
    if name in layout.NOT_READ:
        return []
    if not hasattr(sheet, "iter_rows"):
        raise DataFileError(f"{file}, sheet {name}: a chart sheet; delete it.")
    sheet.reset_dimensions()  # trust the cells, not the size the file declares
    rows: list[Cells] = []
    for cells in sheet.iter_rows():
        row = [(cell.value, cell.data_type) for cell in cells]
        while row and row[-1][0] is None:
            row.pop()
        rows.append(row)
        if row and len(rows) >= MAX_ROWS + FIRST_ROW:
            raise DataFileError(f"{file}, sheet {name}: more than {MAX_ROWS:,} rows.")
    return rows


def _typed(column: Column, value: Any, data_type: str) -> Any:
    """A cell's value as the column's type (None when blank); ValueError says why not."""
    if data_type == "f":
        formula = getattr(value, "text", value)
        raise ValueError(
            f"holds a formula ({formula!r}); paste values only (Paste Special → Values, "
            "选择性粘贴 → 数值)"
        )
    if data_type == "e":
        raise ValueError(f"holds the error {value}; enter a value")
    if isinstance(value, str):  # long text is kept whole: the model strips it, " " is ""
        text = value if column.type == "long" else value.strip()
        value = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
        if column.type == "long" or not value:
            return value or None
    if isinstance(value, datetime) and value.time() == time():
        value = value.date()
    if column.type in ("text", "long"):
        if isinstance(value, bool | date):
            return value.isoformat() if isinstance(value, date) else str(value).upper()
        return repr(value) if isinstance(value, float) else str(value)
    if column.type == "bool":
        if isinstance(value, bool) or str(value).lower() in TRUE + FALSE:
            return value if isinstance(value, bool) else str(value).lower() in TRUE
        raise ValueError(f"not TRUE or FALSE ({value!r})")
    if column.type == "date":
        if isinstance(value, str | date) and not isinstance(value, datetime):
            return value if isinstance(value, str) else value.isoformat()
        raise ValueError(f"not a date YYYY-MM-DD ({value!r})")
    number: Any = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value)
    if column.type == "number" and number is not None:
        return number
    whole = isinstance(number, int) or (isinstance(number, float) and number.is_integer())
    if column.type == "int" and whole:
        return int(number)
    raise ValueError(f"not a {'number' if column.type == 'number' else 'whole number'} ({value!r})")


def _no_process(name: Any) -> str:
    return f"no process {name!r} in sheet processes"


class _Reader:
    """Reads the sheets into a model's data, collecting problems with their places."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []
        self.places: dict[Path, tuple[str, int]] = {}  # path in the data → sheet, row
        self.fields: dict[str, int] = {}  # product field → row

    def problem(self, sheet: str | None, row: int | None, what: str | None, why: str) -> None:
        """Note a problem at ``FILE, sheet S, row R, column C`` (what: "column C", "field F")."""
        parts = (self.file, sheet and f"sheet {sheet}", row and f"row {row}", what)
        self.problems.append(f"{', '.join(p for p in parts if p)}: {why}")

    def read(self, sheets: dict[str, list[Cells]]) -> dict[str, Any]:
        for name, rows in sheets.items():
            if name not in layout.COLUMNS and name not in layout.NOT_READ and any(rows):
                known = ", ".join(layout.COLUMNS)
                why = f"not a sheet of the template ({known}); rename or delete it"
                self.problem(name, None, None, why)
        tables = {name: self.table(name, sheets.get(name, [])) for name in layout.COLUMNS}
        data: dict[str, Any] = {"product": {}}
        for row, record in tables["product"]:
            self.product_field(data, row, record)
        index = self.processes(data, tables)
        reference = data["product"].get("reference_process")
        if reference is not None and reference not in index:
            row = self.fields["reference_process"]
            self.problem("product", row, "field reference_process", _no_process(reference))
        if not self.problems:
            try:
                ProductModel.model_validate(data)
            except ValidationError as error:
                for item in error.errors():
                    self.locate(tuple(item["loc"]), item)
        if self.problems:
            more = len(self.problems) - MAX_PROBLEMS
            text = "\n".join(self.problems[:MAX_PROBLEMS])
            raise DataFileError(text + (f"\n… and {more} more" if more > 0 else ""))
        return data

    def table(self, sheet: str, rows: list[Cells]) -> Rows:
        """The non-empty rows of a sheet as (row number, column → typed value)."""
        columns = {column.name: column for column in layout.COLUMNS[sheet]}
        header = [None if v is None else str(v).strip() or None for v, _ in (rows or [[]])[0]]
        for index, key in enumerate(header):
            if key is not None and (key not in columns or header.index(key) < index):
                why = "appears twice" if key in columns else f"is not a column of {sheet}"
                what = f"column {get_column_letter(index + 1)}"
                self.problem(sheet, 1, what, f"{key!r} {why}; use {', '.join(columns)}")
                header[index] = ""  # its cells are not read
        records = []
        for number, cells in enumerate(rows[1:], start=2):
            keys = [header[i] if i < len(header) else None for i in range(len(cells))]
            labels = [columns[k].zh if k else None for k in keys]
            if number == 2 and all(v in (None, z) for (v, _), z in zip(cells, labels, strict=True)):
                continue  # the Chinese labels
            field = None
            if sheet == "product" and "field" in keys:
                field = layout.PRODUCT_BY_NAME.get(str(cells[keys.index("field")][0]).strip())
            record: Record = {}
            for index, (key, (value, data_type)) in enumerate(zip(keys, cells, strict=True)):
                if value is None or key == "":
                    continue
                if key is None:
                    what = f"column {get_column_letter(index + 1)}"
                    self.problem(sheet, number, what, f"a value ({value!r}) under no column name")
                    continue
                column = field if field is not None and key == "value" else columns[key]
                try:
                    typed = _typed(column, value, data_type)
                except ValueError as error:
                    what = f"field {column.name}" if column is field else f"column {key}"
                    self.problem(sheet, number, what, str(error))
                    continue
                if typed is not None:
                    record[key] = typed
            if record:
                records.append((number, record))
        return records

    def product_field(self, data: dict[str, Any], row: int, record: Record) -> None:
        name = record.get("field")
        column = layout.PRODUCT_BY_NAME.get(name) if name is not None else None
        if name is None and "value" in record:
            self.problem("product", row, "column field", "is required: the field of the value")
        elif name is not None and column is None:
            fields = ", ".join(layout.PRODUCT_BY_NAME)
            self.problem("product", row, "column field", f"unknown field {name!r}; use {fields}")
        elif name in self.fields:
            self.problem("product", row, "column field", f"is in row {self.fields[name]} too")
        elif column is not None and column.path is not None:
            self.fields[name] = row
            if "value" in record:
                layout.put(data, column.path, record["value"])

    def owner(self, sheet: str, row: int, record: Record, index: dict[str, int]) -> int | None:
        """The position of the process a row belongs to, or None (with a problem)."""
        process = record.get("process")
        if process in index:
            return index[process]
        why = "is required: a process of sheet processes" if process is None else None
        self.problem(sheet, row, "column process", why or _no_process(process))
        return None

    def add(self, sheet: str, row: int, items: list[Any], place: Path, record: Record) -> None:
        self.places[(*place, len(items))] = (sheet, row)
        items.append(layout.item(sheet, record))

    def processes(self, data: dict[str, Any], tables: dict[str, Rows]) -> dict[str, int]:
        """Processes with their exchanges, instruments and co-products; the process index."""
        processes: list[dict[str, Any]] = []
        index: dict[str, int] = {}
        for row, record in tables["processes"]:
            pid = record.get("id")
            if pid in index:
                first = self.places[("processes", index[pid])][1]
                self.problem("processes", row, "column id", f"{pid!r} is in row {first} too")
                continue
            if pid is not None:
                index[pid] = len(processes)
            self.add("processes", row, processes, ("processes",), record)
        data["processes"] = processes
        numbered: dict[tuple[str, int], tuple[int, int, str]] = {}
        for row, record in tables["exchanges"]:
            kind = record.get("kind")
            if kind not in layout.KINDS:
                why = "is required" if kind is None else f"unknown kind {kind!r}"
                self.problem(
                    "exchanges", row, "column kind", f"{why}; use {', '.join(layout.KINDS)}"
                )
            for key in sorted(set(record) - layout.KIND_COLUMNS.get(kind, set(record))):
                self.problem(
                    "exchanges", row, f"column {key}", f"not used by kind {kind!r}; leave it empty"
                )
            source = record.get("input_process")
            if kind == "process" and source is not None and source not in index:
                self.problem("exchanges", row, "column input_process", _no_process(source))
            position = self.owner("exchanges", row, record, index)
            if position is not None:
                exchanges = processes[position].setdefault("exchanges", [])
                numbered[(record["process"], len(exchanges) + 1)] = (position, len(exchanges), kind)
                self.add("exchanges", row, exchanges, ("processes", position, "exchanges"), record)
        for row, record in tables["instruments"]:
            if self.owner("instruments", row, record, index) is None:
                continue
            number = record.get("exchange")
            found = numbered.get((record["process"], number or 0))
            if found is None or found[2] != "electricity":
                what = f"is of kind {found[2]!r}" if found else "does not exist"
                why = f"exchange {number} of process {record['process']!r} {what}; give "
                why += "the number of its electricity exchange (1 = its first exchange row)"
                self.problem("instruments", row, "column exchange", why)
                continue
            exchange = processes[found[0]]["exchanges"][found[1]]
            place = ("processes", found[0], "exchanges", found[1], "instruments")
            self.add("instruments", row, exchange.setdefault("instruments", []), place, record)
        for row, record in tables["coproducts"]:
            position = self.owner("coproducts", row, record, index)
            if position is not None:
                items = processes[position].setdefault("coproducts", [])
                self.add("coproducts", row, items, ("processes", position, "coproducts"), record)
        for sheet in ("exclusions", "assumptions"):
            for row, record in tables[sheet]:
                self.add(sheet, row, data.setdefault(sheet, []), (sheet,), record)
        return index

    def locate(self, loc: Path, error: Any) -> None:
        """A validation error at its sheet, row and column (pydantic's union tags dropped)."""
        loc = tuple(
            p
            for i, p in enumerate(loc)
            if not (p in layout.KINDS and i and isinstance(loc[i - 1], int))
        )
        missing = error["type"] == "missing" or error.get("input", "") is None
        why = "is required" if missing else str(error["msg"]).removeprefix("Value error, ")
        if loc == ("processes",) and error["type"] == "too_short":
            why = "no process: fill in at least one row"
        if loc and loc[0] in ("code", "product") and loc != ("product",):
            field = next((c for c in layout.PRODUCT if (c.path or ())[: len(loc)] == loc), None)
            if field is not None:
                self.problem("product", self.fields.get(field.name), f"field {field.name}", why)
                return
        for cut in range(len(loc), 0, -1):
            if loc[:cut] in self.places:
                sheet, row = self.places[loc[:cut]]
                rest, columns = loc[cut:], layout.TABLES[sheet]
                column = next((c for c in columns if c.path == rest), None) or next(
                    (c for c in columns if rest and (c.path or ())[: len(rest)] == rest), None
                )
                self.problem(sheet, row, column and f"column {column.name}", why)
                return
        self.problem(str(loc[0]) if loc and loc[0] in layout.COLUMNS else None, None, None, why)
