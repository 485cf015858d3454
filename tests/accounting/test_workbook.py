"""The xlsx template of a product model: lossless round trips, a template that opens and reads
back to the fields still to fill in, and errors naming file, sheet, row and column."""

from __future__ import annotations

import io
import zipfile
from copy import deepcopy
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from pcfhub.accounting import workbook
from pcfhub.accounting.formats import read_model, write_model
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.workbook import blank_template, read_workbook, write_workbook
from pcfhub.accounting.workbook_layout import CHOICES, KINDS, PRODUCT, SHEET_ORDER, TABLES
from pcfhub.errors import DataFileError
from tests.accounting.builders import model, widget

PEDIGREE = {"reliability": 1, "completeness": 2, "temporal": 3, "geographical": 4,
            "technological": 5}  # fmt: skip


def rich() -> dict[str, Any]:
    """A laptop model using every exchange kind and every field of the template."""
    data = widget(
        code="laptop-2025",
        exclusions=[
            {"name": "标签油墨", "mass_share": 0.0004, "reason": "低于 1% 取舍准则"},
            {"name": "glue", "mass_share": 0.0, "reason": ""},
        ],
        assumptions=["运输距离按平均值估算", "=not a formula", "", "line one\r\nline _x000D_ two"],
    )
    data["product"] |= {
        "name_zh": "笔记本电脑（示例）",
        "boundary": "cradle_to_grave",
        "reference_period": ["2024-07-01", "2025-06-30"],
        "gwp_set": "AR5",
        "site": "重庆两江工厂",
        "description": "多行描述\n第二行\t制表符 +86",
        "illustrative": True,
    }
    assembly = data["processes"][0]
    assembly |= {"output_mass_kg": 1.9, "output_price": 4999.0, "allocation": "economic",
                 "coproducts": [{"name": "包装废纸", "amount": 0.2, "unit": "kg", "mass_kg": 0.2,
                                 "price": 0.1 + 0.2},
                                {"name": "scrap", "amount": 1, "unit": "kg"}]}  # fmt: skip
    assembly["exchanges"][0] |= {
        "unit": "MWh",
        "amount": 0.01,
        "grid": {"key": "test.grid", "version": 2},
        "residual": {"key": "test.residual", "version": 1},
        "name": "车间用电",
        "gsd": 1.05,
        "instruments": [
            {"type": "green_certificate", "amount": 4, "factor": {"key": "test.wind"}},
            {"type": "ppa", "amount": 2.5, "unit": "kWh", "factor": {"key": "test.wind",
             "version": 7}, "identifier": "GEC-2025-0001~0100", "generator": "某风电场",
             "vintage": 2025, "region": "CN-SC"},
        ],
    }  # fmt: skip
    assembly["exchanges"][2] |= {"origin": "fossil", "pedigree": PEDIGREE, "note": "在线监测\r\n"}
    assembly["exchanges"] += [
        {"kind": "activity", "factor": {"key": "test.wood", "version": 3}, "amount": -0.5,
         "unit": "kg", "packaging": True, "name": "木托盘", "data_type": "secondary"},
        {"kind": "process", "process": "frame", "amount": 0.1, "unit": "kg", "packaging": True},
        {"kind": "supplier", "supplier": "宁德某电池公司", "amount": 1, "unit": "piece",
         "footprint": {"per_unit": "piece", "total": 12.5, "fossil": 12.0,
                       "biogenic_emission": 0.3, "biogenic_removal": 0.1,
                       "land_use_change": 0.2, "data_quality_rating": 1.5,
                       "primary_data_share": 0.8, "source": "PACT urn:uuid:1234"},
         "pedigree": PEDIGREE, "gsd": 1.2},
        {"kind": "model", "model": "battery-pack", "amount": 1, "unit": "piece",
         "data_type": "primary"},
        {"kind": "electricity", "amount": 3, "grid": {"key": "test.grid"},
         "instruments": [{"type": "green_power_trading", "amount": 1,
                          "factor": {"key": "test.wind"}}]},
        {"kind": "emission", "gas": "co2_biogenic_emission", "amount": 0.1 + 0.2,
         "origin": "biogenic"},
    ]  # fmt: skip
    assembly["exchanges"][3] |= {"factor": {"key": "test.truck", "version": 1}}
    data["processes"].append(
        {"id": "use", "name": "使用阶段", "stage": "use", "output": {"amount": 1, "unit": "piece"},
         "location": "CN"}
    )  # fmt: skip
    return data


def cells_of(content: bytes, sheet: str) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def edit(content: bytes, cells: dict[tuple[str, int, str], Any]) -> bytes:
    """Overwrite cells (sheet, row, column key of row 1) as a user would in Excel."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for (sheet, row, name), value in cells.items():
        header = [cell.value for cell in book[sheet][1]]
        if name not in header:  # a new column, with its name on row 1
            book[sheet].cell(row=1, column=len(header) + 1, value=name)
            header.append(name)
        column = header.index(name) + 1
        book[sheet].cell(row=row, column=column, value=value)
    return saved(book)


def saved(book: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def problems(file: str, content: bytes) -> str:
    with pytest.raises(DataFileError) as raised:
        read_workbook(file, content)
    return str(raised.value)


# Round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [widget(), rich()], ids=["widget", "rich"])
def test_a_model_reads_back_equal(data: dict[str, Any]) -> None:
    original = ProductModel.model_validate(data)
    content = write_workbook(original)
    assert ProductModel.model_validate(read_workbook("m.xlsx", content)) == original
    assert read_model("m.xlsx", write_model(original, "xlsx")) == original


def test_the_rich_model_fills_every_column_and_every_kind() -> None:
    content = write_workbook(ProductModel.model_validate(rich()))
    for sheet, columns in TABLES.items():
        rows = cells_of(content, sheet)
        assert rows[0] == [column.name for column in columns]
        filled = {rows[0][i] for row in rows[2:] for i, v in enumerate(row) if v is not None}
        assert filled == set(rows[0]), sheet
    kinds = {row[1] for row in cells_of(content, "exchanges")[2:]}
    assert kinds == set(KINDS)
    values = {row[0]: row[1] for row in cells_of(content, "product")[2:]}
    assert all(values[column.name] is not None for column in PRODUCT)


def test_chinese_text_numbers_and_formula_like_text_are_plain_cells() -> None:
    content = write_workbook(ProductModel.model_validate(rich()))
    book = openpyxl.load_workbook(io.BytesIO(content))
    product = {row[0].value: row[1] for row in book["product"].iter_rows(min_row=3)}
    assert product["name_zh"].value == "笔记本电脑（示例）"
    assert product["declared_unit_amount"].data_type == "n"
    assert product["illustrative"].value is True
    assert product["reference_period_start"].value == "2024-07-01"
    assumption = book["assumptions"]["A4"]
    assert (assumption.value, assumption.data_type, assumption.quotePrefix) == (
        "=not a formula", "s", True
    )  # fmt: skip
    header = [cell.value for cell in book["exchanges"][1]]
    amount = book["exchanges"].cell(row=3, column=header.index("amount") + 1)
    assert (amount.value, amount.data_type) == (0.01, "n")
    assert book["exchanges"]["A2"].value == "所属工序"  # the Chinese label row


texts = st.text(max_size=40)
names = texts.filter(lambda text: text.strip() != "")
amounts = st.floats(min_value=0, exclude_min=True, allow_infinity=False)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=names, note=texts, description=texts, assumptions=st.lists(texts, max_size=3),
    amount=amounts, negative=st.floats(allow_nan=False, allow_infinity=False),
    version=st.integers(min_value=1, max_value=2**53), exclusion=texts,
)  # fmt: skip
def test_any_text_and_number_reads_back_equal(
    name: str, note: str, description: str, assumptions: list[str], amount: float,
    negative: float, version: int, exclusion: str,
) -> None:  # fmt: skip
    data = deepcopy(rich())
    data["product"] |= {"name_zh": name, "description": description}
    data["assumptions"] = assumptions
    data["exclusions"][0]["reason"] = exclusion
    exchanges = data["processes"][0]["exchanges"]
    exchanges[0] |= {"amount": amount, "note": note, "name": name}
    exchanges[0]["instruments"][1]["factor"]["version"] = version
    exchanges[4]["amount"] = negative  # an activity may be negative
    try:
        original = ProductModel.model_validate(data)
    except ValidationError:
        assume(False)
    assert ProductModel.model_validate(read_workbook("m.xlsx", write_workbook(original))) == (
        original
    )


# The template --------------------------------------------------------------------------------


def test_the_blank_template_opens_and_asks_only_for_the_required_fields() -> None:
    content = blank_template()
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == list(SHEET_ORDER)
    message = problems("template.xlsx", content)
    required = ("code", "name_en", "name_zh", "declared_unit_amount", "boundary",
                "reference_period_start", "reference_process")  # fmt: skip
    lines = message.splitlines()
    assert len(lines) == len(required) + 1
    for name in required:
        assert any(line.endswith(f"field {name}: is required") for line in lines), name
    assert lines[-1] == "template.xlsx, sheet processes: no process: fill in at least one row"


def test_the_template_has_instructions_in_both_languages_and_drop_downs() -> None:
    book = openpyxl.load_workbook(io.BytesIO(blank_template()))
    text = " ".join(str(v) for row in book["instructions"].iter_rows(values_only=True) for v in row)
    for phrase in ("填写说明", "How to fill in", "选择性粘贴", "exchanges", "footprint_total"):
        assert phrase in text
    validations = {
        str(v.sqref): v.formula1 for v in book["exchanges"].data_validations.dataValidation
    }
    kind = next(f for ref, f in validations.items() if ref.startswith("B3:"))
    assert kind.startswith("lists!$")
    lists = cells_of(blank_template(), "lists")
    for (sheet, name), values in CHOICES.items():
        column = lists[0].index(f"{sheet}.{name}")
        assert [row[column] for row in lists[1:] if row[column]] == [str(v) for v in values]
    assert {str(v.sqref) for v in book["instruments"].data_validations.dataValidation} == {
        "C3:C10002"
    }
    assert book["exchanges"]["A1"].comment is not None


def test_a_template_filled_as_a_user_would_reads() -> None:
    """Dates as date cells, TRUE typed as text, numbers typed as text, the labels row kept."""
    product = {name: row for row, name in enumerate((c.name for c in PRODUCT), start=3)}
    values = {"code": "bracket", "name_en": "Bracket", "name_zh": "支架",
              "declared_unit_amount": 1, "declared_unit_unit": "piece",
              "boundary": "cradle_to_gate", "reference_period_start": datetime(2025, 1, 1),
              "reference_period_end": datetime(2025, 12, 31), "reference_process": "press",
              "illustrative": "TRUE"}  # fmt: skip
    cells = {("product", product[name], "value"): value for name, value in values.items()}
    cells |= {("processes", 3, "id"): "press", ("processes", 3, "name"): "冲压",
              ("processes", 3, "stage"): "production", ("processes", 3, "output_amount"): "2",
              ("processes", 3, "output_unit"): "piece",
              ("exchanges", 3, "process"): "press", ("exchanges", 3, "kind"): "activity",
              ("exchanges", 3, "factor_key"): "test.steel", ("exchanges", 3, "amount"): 1.5,
              ("exchanges", 3, "unit"): "kg", ("exchanges", 3, "factor_version"): 2.0,
              ("exchanges", 3, "packaging"): "否"}  # fmt: skip
    read = ProductModel.model_validate(read_workbook("b.xlsx", edit(blank_template(), cells)))
    assert read.product.reference_period[1].isoformat() == "2025-12-31"
    assert read.product.illustrative is True
    assert read.processes[0].output.amount == 2.0
    exchange = read.processes[0].exchanges[0]
    assert (exchange.factor.version, exchange.packaging) == (2, False)  # type: ignore[union-attr]


def test_a_deleted_label_row_leaves_row_2_as_data() -> None:
    content = write_workbook(model())
    book = openpyxl.load_workbook(io.BytesIO(content))
    book["assumptions"]["A2"] = "假设一"
    assert read_workbook("w.xlsx", saved(book))["assumptions"] == ["假设一"]


# Errors --------------------------------------------------------------------------------------


def test_a_cell_that_is_not_a_number_is_named() -> None:
    content = edit(write_workbook(model()), {("exchanges", 5, "amount"): "abc"})
    assert problems("widget.xlsx", content) == (
        "widget.xlsx, sheet exchanges, row 5, column amount: not a number ('abc')"
    )


def test_every_problem_is_listed_once_with_its_place() -> None:
    content = edit(
        write_workbook(model()),
        {
            ("exchanges", 4, "process"): "nowhere",
            ("exchanges", 6, "factor_version"): 1.5,
            ("exchanges", 5, "factor_key"): "test.steel",
            ("exchanges", 7, "kind"): "activty",
            ("instruments", 3, "exchange"): 2,
            ("processes", 4, "id"): "assembly",
            ("assumptions", 3, "nonsense"): "x",
        },
    )
    lines = problems("widget.xlsx", content).splitlines()
    assert lines == [
        "widget.xlsx, sheet exchanges, row 6, column factor_version: not a whole number (1.5)",
        "widget.xlsx, sheet assumptions, row 1, column B: 'nonsense' is not a column of "
        "assumptions; use text",
        "widget.xlsx, sheet processes, row 4, column id: 'assembly' is in row 3 too",
        "widget.xlsx, sheet exchanges, row 4, column input_process: no process 'frame' in sheet "
        "processes",
        "widget.xlsx, sheet exchanges, row 4, column process: no process 'nowhere' in sheet "
        "processes",
        "widget.xlsx, sheet exchanges, row 5, column factor_key: not used by kind 'emission'; "
        "leave it empty",
        "widget.xlsx, sheet exchanges, row 7, column kind: unknown kind 'activty'; use "
        + ", ".join(KINDS),
        "widget.xlsx, sheet exchanges, row 7, column process: no process 'frame' in sheet "
        "processes",
        "widget.xlsx, sheet instruments, row 3, column exchange: exchange 2 of process "
        "'assembly' is of kind 'emission'; give the number of its electricity exchange "
        "(1 = its first exchange row)",
    ]


def test_validation_problems_are_named_by_sheet_row_and_column() -> None:
    content = edit(
        write_workbook(model()),
        {
            ("processes", 4, "stage"): "assembling",
            ("exchanges", 3, "pedigree_reliability"): 2,
            ("instruments", 3, "amount"): -4,
            ("product", 4, "value"): "  ",
            ("exclusions", 3, "name"): "glue",
            ("product", 11, "value"): "2026-01-01",
        },
    )
    lines = problems("widget.xlsx", content).splitlines()
    assert "widget.xlsx, sheet product, row 4, field name_en: is required" in lines
    stage = "widget.xlsx, sheet processes, row 4, column stage: Input should be 'raw_materials'"
    assert any(line.startswith(stage) for line in lines)
    for column in ("completeness", "temporal", "geographical", "technological"):
        assert (
            f"widget.xlsx, sheet exchanges, row 3, column pedigree_{column}: is required" in lines
        )
    assert (
        "widget.xlsx, sheet instruments, row 3, column amount: Input should be greater than 0"
        in lines
    )
    assert "widget.xlsx, sheet exclusions, row 3, column mass_share: is required" in lines
    assert "widget.xlsx, sheet exclusions, row 3, column reason: is required" in lines


def test_a_period_that_ends_before_it_starts_names_the_product_sheet() -> None:
    content = edit(write_workbook(model()), {("product", 11, "value"): "2024-01-01"})
    assert problems("w.xlsx", content) == (
        "w.xlsx, sheet product: reference_period ends before it starts"
    )


def test_product_field_problems() -> None:
    content = edit(
        write_workbook(model()),
        {("product", 20, "field"): "nmae_en", ("product", 21, "field"): "site",
         ("product", 21, "value"): "x", ("product", 22, "value"): "orphan",
         ("product", 7, "value"): "1 piece", ("product", 13, "value"): "nowhere"},
    )  # fmt: skip
    lines = problems("w.xlsx", content).splitlines()
    assert lines[0] == (
        "w.xlsx, sheet product, row 7, field declared_unit_amount: not a number ('1 piece')"
    )
    assert lines[1].startswith(
        "w.xlsx, sheet product, row 20, column field: unknown field 'nmae_en'; use code, name_en"
    )
    assert lines[2:] == [
        "w.xlsx, sheet product, row 21, column field: is in row 14 too",
        "w.xlsx, sheet product, row 22, column field: is required: the field of the value",
        "w.xlsx, sheet product, row 13, field reference_process: no process 'nowhere' in sheet "
        "processes",
    ]


def test_a_formula_is_an_error_asking_for_values() -> None:
    content = edit(write_workbook(model()), {("exchanges", 3, "amount"): "=2*5"})
    assert problems("w.xlsx", content) == (
        "w.xlsx, sheet exchanges, row 3, column amount: holds a formula ('=2*5'); paste values "
        "only (Paste Special → Values, 选择性粘贴 → 数值)"
    )


def test_an_unknown_sheet_with_values_is_an_error_and_an_empty_one_is_not() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_workbook(model())))
    book.create_sheet("Sheet1")
    book.create_sheet("exchange")["A1"] = "process"
    assert problems("w.xlsx", saved(book)) == (
        "w.xlsx, sheet exchange: not a sheet of the template (product, processes, exchanges, "
        "instruments, coproducts, exclusions, assumptions); rename or delete it"
    )


def test_a_value_under_no_header_is_an_error() -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_workbook(model())))
    book["coproducts"]["H3"] = 5
    assert problems("w.xlsx", saved(book)) == (
        "w.xlsx, sheet coproducts, row 3, column H: a value (5) under no column name"
    )


def test_files_that_are_too_large_or_not_xlsx_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert problems("big.xlsx", b"0" * (workbook.MAX_WORKBOOK_BYTES + 1)) == (
        "big.xlsx: larger than 5 MiB."
    )
    assert problems("w.xlsx", b"name,amount\n").startswith(
        "w.xlsx: not a readable xlsx workbook (BadZipFile); save it as an Excel workbook"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert problems("w.xlsx", buffer.getvalue()).startswith("w.xlsx: not a readable xlsx")
    content = write_workbook(model())
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 1000)
    assert problems("w.xlsx", content) == "w.xlsx: unpacks to over 0 MiB."
    monkeypatch.undo()
    monkeypatch.setattr(workbook, "MAX_ROWS", 5)  # the product sheet has 14 rows
    assert problems("w.xlsx", content) == "w.xlsx, sheet product: more than 5 rows."
