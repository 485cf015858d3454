"""Factors as xlsx and JSON beside CSV: lossless round trips and errors that say where."""

from __future__ import annotations

import csv
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from pcfhub.errors import DataFileError, InvalidInputError
from pcfhub.factors.formats import (
    FORMATS,
    MEDIA_TYPES,
    export_bytes,
    read_factors,
    read_json,
    read_xlsx,
    write_factors,
    write_json,
    write_xlsx,
)
from pcfhub.factors.model import FactorData
from pcfhub.factors.reference import reference_files
from pcfhub.factors.tabular import COLUMN_MEANINGS, COLUMNS, REQUIRED, data_to_row, read_csv
from tests.factors.builders import record


def shipped() -> list[FactorData]:
    return [factor for path in reference_files() for factor in read_csv(path)]


def column(name: str) -> int:
    """The spreadsheet column number of a template column."""
    return COLUMNS.index(name) + 1


def edit_xlsx(path: Path, cells: dict[tuple[int, str], object]) -> None:
    """Overwrite cells (row, template column) of the factor sheet, as a user would in Excel."""
    workbook = openpyxl.load_workbook(path)
    for (row, name), value in cells.items():
        workbook["factors"].cell(row=row, column=column(name), value=value)
    workbook.save(path)


@pytest.mark.parametrize("kind", ["xlsx", "json"])
def test_every_shipped_factor_reads_back_equal(tmp_path: Path, kind: str) -> None:
    factors = shipped()
    path = tmp_path / f"reference.{kind}"
    write_factors(factors, path)
    assert read_factors(path) == factors


@pytest.mark.parametrize("kind", ["xlsx", "json"])
def test_floats_keep_every_digit(tmp_path: Path, kind: str) -> None:
    # 0.1 + 0.2 needs 17 significant digits: "%.16g" would give 0.3.
    factor = record(value=0.1 + 0.2, gases={"co2_fossil": 0.1 + 0.2})
    path = tmp_path / f"digits.{kind}"
    write_factors([factor], path)
    (back,) = read_factors(path)
    assert back.value == 0.30000000000000004
    assert back.gases == factor.gases


def test_xlsx_cells_are_numbers_and_text_never_a_formula(tmp_path: Path) -> None:
    factor = record(
        name_zh="硅铁合金（示例）",
        name_en='=HYPERLINK("http://example.invalid","click")',
        description="-2 kg offset, +3 kg @ site",
        technology="@SUM(A1:A9)",
    )
    path = tmp_path / "factors.xlsx"
    write_xlsx([factor], path)
    assert read_xlsx(path) == [factor]
    sheet = openpyxl.load_workbook(path)["factors"]
    name = sheet.cell(row=2, column=column("name_en"))
    assert (name.data_type, name.value, name.quotePrefix) == ("s", factor.name_en, True)
    for text in ("description", "technology"):
        cell = sheet.cell(row=2, column=column(text))
        assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert sheet.cell(row=2, column=column("name_zh")).value == "硅铁合金（示例）"
    value = sheet.cell(row=2, column=column("value"))
    year = sheet.cell(row=2, column=column("reference_year"))
    assert (value.data_type, value.value, year.value) == ("n", 2.1, 2025)


def test_xlsx_has_a_frozen_bold_header_and_a_sheet_explaining_the_columns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "factors.xlsx"
    write_xlsx(shipped()[:2], path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["factors", "columns"]
    factors = workbook["factors"]
    assert [cell.value for cell in factors[1]] == list(COLUMNS)
    assert all(cell.font.bold for cell in factors[1])
    assert factors.freeze_panes == "A2"
    explained = list(workbook["columns"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in explained] == list(COLUMNS)
    assert {row[0] for row in explained if row[1] == "yes"} == set(REQUIRED)
    assert all(row[2] for row in explained)
    assert [name for name, _ in COLUMN_MEANINGS] == list(COLUMNS)


def test_json_is_the_documented_utf8_document(tmp_path: Path) -> None:
    factor = record()
    path = tmp_path / "factors.json"
    write_json([factor], path)
    text = path.read_text(encoding="utf-8")
    assert "热轧钢卷（示例）" in text  # not \u escapes
    document = json.loads(text)
    assert (document["format"], document["version"]) == ("pcfhub.factors", 1)
    assert document["factors"] == [factor.model_dump(mode="json", exclude_none=True)]
    assert "description" not in document["factors"][0]


def test_a_bad_xlsx_names_file_row_and_column_of_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "mine.xlsx"
    write_xlsx(shipped()[:4], path)
    edit_xlsx(path, {(3, "reference_year"): "abc", (5, "geography"): "Chongqing"})
    with pytest.raises(DataFileError) as raised:
        read_xlsx(path)
    message = str(raised.value)
    assert "2 problem(s), nothing was read" in message
    assert "mine.xlsx, row 3, column reference_year:" in message
    assert "mine.xlsx, row 5, column geography:" in message


def test_an_xlsx_without_a_required_column_names_row_1(tmp_path: Path) -> None:
    path = tmp_path / "short.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append([name for name in COLUMNS if name not in ("value", "unit")])
    workbook.save(path)
    with pytest.raises(DataFileError, match=r"short\.xlsx, row 1: missing column\(s\) value, unit"):
        read_xlsx(path)


@pytest.mark.parametrize("content", ["csv", "zip"])
def test_a_file_that_is_not_a_workbook_is_named(tmp_path: Path, content: str) -> None:
    path = tmp_path / "renamed.xlsx"
    if content == "csv":
        path.write_text("lineage_key,value\na,1\n", encoding="utf-8")
    else:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "a zip, but not a workbook")
    with pytest.raises(DataFileError, match=r"^renamed\.xlsx: not a readable xlsx workbook"):
        read_xlsx(path)


def test_xlsx_cells_typed_by_hand_are_read_as_meant(tmp_path: Path) -> None:
    factor = record(valid_to=date(2026, 12, 31))
    path = tmp_path / "typed.xlsx"
    write_xlsx([factor], path)
    # Excel stores a typed date as a number with a date format, a typed 7 as a number.
    edit_xlsx(path, {(2, "valid_from"): date(2025, 1, 1), (2, "source_table"): 7})
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    cell = re.search(rf'<c r="{get_column_letter(column("valid_from"))}2"[^>]*>.*?</c>', sheet)
    assert cell
    assert "<v>45658</v>" in cell.group()  # the serial number of 2025-01-01
    (back,) = read_xlsx(path)
    assert back.valid_from == date(2025, 1, 1)
    assert back.source.table == "7"


def test_a_workbook_that_declares_too_small_a_size_is_read_in_full(tmp_path: Path) -> None:
    # Some programs write a wrong <dimension>; a read-only openpyxl would trust it.
    written = tmp_path / "written.xlsx"
    write_xlsx([record("a.one"), record("a.two"), record("a.three")], written)
    path = tmp_path / "small.xlsx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetPr>", b'</sheetPr><dimension ref="A1:C2"/>', 1)
            target.writestr(item, data)
    assert [factor.lineage_key for factor in read_xlsx(path)] == ["a.one", "a.two", "a.three"]


def test_the_sheet_named_factors_is_read_even_when_not_first(tmp_path: Path) -> None:
    path = tmp_path / "notes-first.xlsx"
    write_xlsx([record()], path)
    workbook = openpyxl.load_workbook(path)
    workbook.create_sheet("notes", 0).append(["this sheet is not read"])
    workbook.save(path)
    assert read_xlsx(path) == [record()]


def test_json_errors_name_factor_and_field(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    write_json([record("a.one"), record("a.two"), record("a.three")], path)
    document = json.loads(path.read_text(encoding="utf-8"))
    document["factors"][1]["source"]["year"] = "soon"
    document["factors"][2]["geography"] = "Chongqing"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        read_json(path)
    message = str(raised.value)
    assert "2 problem(s), nothing was read" in message
    assert "mine.json, factor 2, field source.year: Input should be a valid integer" in message
    assert "mine.json, factor 3, field geography:" in message


def test_json_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"format": "pcfhub.factors", "version": 1,\n  "factors": [}\n', "utf-8")
    with pytest.raises(DataFileError, match=r"broken\.json, line 2, column 15: not valid JSON"):
        read_json(path)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], "expected an object"),
        ({"format": "other", "version": 1, "factors": []}, "\"format\" is 'other'"),
        ({"format": "pcfhub.factors", "version": 2, "factors": []}, '"version" 2 is not 1'),
        ({"format": "pcfhub.factors", "version": 1, "factors": {}}, '"factors" must be a list'),
        ({"format": "pcfhub.factors", "version": 1, "factors": [], "x": 1}, "unknown key(s) x"),
    ],
)
def test_json_of_the_wrong_shape_is_refused(
    tmp_path: Path, document: object, expected: str
) -> None:
    path = tmp_path / "shape.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        read_json(path)
    assert "shape.json: " in str(raised.value)
    assert expected in str(raised.value)


def test_json_duplicate_lineage_key_names_both_factors(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    write_json([record("a.one"), record("a.two"), record("a.one", value=3.0)], path)
    with pytest.raises(DataFileError) as raised:
        read_json(path)
    assert "twice.json, factor 3, field lineage_key: 'a.one' is factor 1 too" in str(raised.value)


def test_an_unknown_suffix_is_refused_with_the_accepted_ones(tmp_path: Path) -> None:
    for call in (lambda p: read_factors(p), lambda p: write_factors([record()], p)):
        with pytest.raises(DataFileError, match=r"factors\.ods: .*use \.csv, \.xlsx, \.json"):
            call(tmp_path / "factors.ods")
    assert not (tmp_path / "factors.ods").exists()


def test_suffixes_are_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "FACTORS.XLSX"
    write_factors([record()], path)
    assert zipfile.is_zipfile(path)
    assert read_factors(path) == [record()]


@pytest.mark.parametrize("kind", FORMATS)
def test_export_bytes_reads_back_equal(tmp_path: Path, kind: str) -> None:
    factors = [*shipped()[:5], record(name_en="=1+1")]
    path = tmp_path / f"download.{kind}"
    path.write_bytes(export_bytes(factors, kind))
    assert read_factors(path) == factors
    assert MEDIA_TYPES[kind]


def test_export_bytes_refuses_an_unknown_format() -> None:
    with pytest.raises(InvalidInputError, match="unknown format 'ods'; use csv, xlsx, json"):
        export_bytes([record()], "ods")


def test_workbooks_are_parsed_through_defusedxml() -> None:
    """Uploaded workbooks are untrusted XML: openpyxl must use defusedxml (XML bombs)."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


DERIVED = {"database": "USLCI", "release": "FY24 Q1", "process_id": "a1b2-c3",
           "process_name": "Electricity, at grid, US"}  # fmt: skip


@pytest.mark.parametrize("kind", ["csv", "xlsx", "json"])
def test_a_factor_derived_from_an_lci_process_keeps_its_provenance(
    tmp_path: Path, kind: str
) -> None:
    factor = record(key="uslci.electricity", derived_from=DERIVED, system_model="cutoff")
    path = tmp_path / f"derived.{kind}"
    write_factors([factor], path)
    assert read_factors(path) == [factor]
    assert read_factors(path)[0].derived_from.process_id == "a1b2-c3"


def test_an_incomplete_provenance_names_the_missing_column(tmp_path: Path) -> None:
    row = data_to_row(record(key="uslci.partial", derived_from=DERIVED))
    row["derived_process_id"] = ""
    path = tmp_path / "partial.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerow(row)
    with pytest.raises(DataFileError, match="partial.csv, row 2, column derived_process_id"):
        read_csv(path)


def test_a_csv_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(",".join(COLUMNS).encode() + "\n电网".encode("gbk") + b"\n")
    with pytest.raises(DataFileError, match=r"gbk\.csv: not UTF-8 text.*CSV UTF-8"):
        read_factors(path)


def test_a_csv_field_beyond_the_size_limit_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(",".join(COLUMNS) + "\n" + "x" * (csv.field_size_limit() + 1) + "\n")
    with pytest.raises(DataFileError, match=r"huge\.csv, row \d+: field larger than"):
        read_factors(path)


def test_json_nested_too_deeply_is_a_file_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataFileError, match=r"deep\.json: the JSON is nested too deeply"):
        read_factors(path)
