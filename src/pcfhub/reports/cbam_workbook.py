"""A CBAM declaration as an xlsx workbook: one sheet in the order of the quarterly report's
sections (Implementing Regulation (EU) 2023/1773, Annex I: report, goods, installation,
emissions, precursors), with bilingual (en/zh) labels. The same declaration gives the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

from pcfhub.reports.cbam import CbamDeclaration, Emissions

SHEET = "CBAM"
FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
HEADER = Font(bold=True)
SECTION = Font(bold=True, size=12, color="FFFFFF")
SECTION_FILL = PatternFill("solid", fgColor="2E7D32")
Row = tuple[str, Any]


EMISSIONS = (
    ("specific_direct", "Specific direct embedded emissions (t CO2e/t) / 特定直接隐含排放"),
    ("direct_determination", "Direct: actual or default / 直接排放：实际值或默认值"),
    ("electricity_mwh_per_t", "Electricity consumed (MWh/t) / 耗电量"),
    (
        "electricity_factor_t_co2e_per_mwh",
        "Electricity emission factor (t CO2e/MWh) / 电力排放因子",
    ),
    ("electricity_factor_sources", "Source of the emission factor / 排放因子来源"),
    ("specific_indirect", "Specific indirect embedded emissions (t CO2e/t) / 特定间接隐含排放"),
    ("indirect_determination", "Indirect: actual or default / 间接排放：实际值或默认值"),
    ("specific_precursors", "Precursors (t CO2e/t) / 前体物隐含排放"),
    ("specific_total", "Specific embedded emissions, total (t CO2e/t) / 特定隐含排放合计"),
    ("direct_t", "Direct emissions of the quantity (t CO2e) / 该数量的直接排放"),
    ("indirect_t", "Indirect emissions of the quantity (t CO2e) / 该数量的间接排放"),
    ("precursors_t", "Precursor emissions of the quantity (t CO2e) / 该数量的前体物排放"),
    ("total_t", "Embedded emissions of the quantity (t CO2e) / 该数量的隐含排放合计"),
)


def _value(emissions: Emissions, name: str) -> Any:
    value = getattr(emissions, name)
    return "; ".join(value) if isinstance(value, list) else value


def _sections(d: CbamDeclaration) -> list[tuple[str, list[Row]]]:
    g, i, e, b = d.goods, d.installation, d.emissions, d.basis
    return [
        (
            "Report / 报告",
            [
                ("Reporting period / 报告期", d.reporting_period),
                ("Regulation / 法规", d.regulation),
                ("Accounting result / 核算结果", str(b.result_id)),
                ("Result content hash / 结果内容哈希", b.result_content_hash),
                ("Product model / 产品模型", f"{b.model_code} v{b.model_version}"),
                ("Software / 软件", b.software),
            ],
        ),
        (
            "Goods imported / 进口货物",
            [
                ("CN code / CN编码", g.cn_code),
                ("Description (Annex I) / 货物说明（附件一）", g.description),
                ("Sector / 行业", g.sector),
                ("Quantity (t) / 数量（吨）", g.quantity_t),
                ("Greenhouse gases (Annex I) / 温室气体（附件一）", ", ".join(g.greenhouse_gases)),
                ("Indirect emissions count / 计入间接排放", g.indirect_emissions_count),
            ],
        ),
        (
            "Installation / 生产设施",
            [
                ("Name / 名称", i.name),
                ("Country / 国家", i.country),
                ("Address / 地址", i.address),
                ("Identifier / 标识", i.identifier or ""),
                ("Production route / 生产路线", i.production_route),
            ],
        ),
        ("Embedded emissions / 隐含排放", [(label, _value(e, name)) for name, label in EMISSIONS]),
    ]


PRECURSOR_HEADERS = (
    "Precursor / 前体物",
    "Process / 过程",
    "t per t of good / 每吨货物所需吨数",
    "Direct (t CO2e/t good) / 直接",
    "Indirect (t CO2e/t good) / 间接",
    "Specific (t CO2e/t precursor) / 特定隐含排放",
)
ELECTRICITY_HEADERS = (
    "Electricity / 电力",
    "Process / 过程",
    "MWh/t",
    "t CO2e/MWh",
    "t CO2e/t",
    "Factor / 因子",
    "Source / 来源",
)


def cbam_xlsx(declaration: CbamDeclaration) -> bytes:
    """The declaration as one sheet; `read_sections` reads the label/value rows back."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.column_dimensions["A"].width = 62
    for column in "BCDEFG":
        sheet.column_dimensions[column].width = 22
    row = 1
    sheet.cell(row, 1, "EU CBAM embedded emissions / 欧盟碳边境调节机制隐含排放").font = HEADER
    row += 2
    for title, rows in _sections(declaration):
        row = _section(sheet, row, title)
        for label, value in rows:
            _put(sheet, row, 1, label)
            _put(sheet, row, 2, value)
            row += 1
        row += 1
    row = _section(sheet, row, "Electricity / 电力")
    row = _table(
        sheet,
        row,
        ELECTRICITY_HEADERS,
        (
            (e.label, e.process, e.mwh_per_t, e.factor_t_co2e_per_mwh, e.t_co2e_per_t,
             e.factor_key, e.factor_source)
            for e in declaration.electricity
        ),
    )  # fmt: skip
    row = _section(sheet, row + 1, "Precursors / 前体物")
    row = _table(
        sheet,
        row,
        PRECURSOR_HEADERS,
        (
            (p.name, p.process, p.quantity_t_per_t_good, p.direct_t_co2e_per_t_good,
             p.indirect_t_co2e_per_t_good, p.specific_t_co2e_per_t_precursor)
            for p in declaration.precursors
        ),
    )  # fmt: skip
    row = _section(sheet, row + 1, "Notes / 说明")
    for note in declaration.notes:
        _put(sheet, row, 1, note)
        row += 1
    book.properties.creator = declaration.basis.software
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _fixed_times(buffer.getvalue())


def _put(sheet: Any, row: int, column: int, value: Any) -> None:
    """Write a value; text always as text: a name beginning with "=" is never a formula, and
    characters a workbook cannot hold are dropped."""
    if isinstance(value, str):
        cell = sheet.cell(row, column, ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
    else:
        sheet.cell(row, column, value)


def _section(sheet: Any, row: int, title: str) -> int:
    cell = sheet.cell(row, 1, title)
    cell.font, cell.fill = SECTION, SECTION_FILL
    return row + 1


def _table(sheet: Any, row: int, headers: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
    for column, header in enumerate(headers, start=1):
        sheet.cell(row, column, header).font = HEADER
    row += 1
    for values in rows:
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
        row += 1
    return row


def _fixed_times(content: bytes) -> bytes:
    """The workbook with every zip entry's time and the document's dates fixed."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*",
                    rb"\g<1>2000-01-01T00:00:00Z",
                    data,
                )
            target.writestr(zipfile.ZipInfo(info.filename, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def read_sections(content: bytes) -> dict[str, Any]:
    """Label → value of the workbook's label/value rows (for checking what was written)."""
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content), read_only=True)[SHEET]
    return {
        str(row[0]): row[1]
        for row in sheet.iter_rows(min_col=1, max_col=2, values_only=True)
        if row[0] is not None
    }
