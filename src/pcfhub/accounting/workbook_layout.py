"""The xlsx template of a product model: its sheets, columns, choices and instructions.

Each column names the field it holds by a path into the model's JSON form (``("factor",
"key")`` for ``factor_key``); a path of None marks a column that says where a row belongs (the
``process`` of an exchange). `records` and `item` map the model's JSON form to rows and back;
`template` builds the empty workbook: headers (English key on row 1 with a comment explaining
it, Chinese label on row 2), drop-down lists and the instructions sheet.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal, NamedTuple, get_args

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pcfhub.accounting.model import DataType, Exchange, Origin
from pcfhub.catalogue.model import AllocationMethod, Boundary, Instrument, Stage
from pcfhub.factors.model import Gas

FIRST_ROW = 3  # row 1: keys, row 2: Chinese labels
MAX_ROWS = 10_000  # per sheet
BOLD, LABEL = Font(bold=True), Font(italic=True, color="666666")
CellType = Literal["text", "long", "number", "int", "bool", "date"]


class Column(NamedTuple):
    name: str  # the English key on row 1 (on the product sheet: the field name)
    path: tuple[str | int, ...] | None  # where the value goes in the model's data
    type: CellType
    zh: str  # the Chinese label on row 2
    en: str  # what it means (instructions sheet, header comment)


def _pedigree(owner: str) -> tuple[Column, ...]:
    names = {"reliability": "可靠性", "completeness": "完整性", "temporal": "时间相关性",
             "geographical": "地理相关性", "technological": "技术相关性"}  # fmt: skip
    return tuple(
        Column(f"pedigree_{name}", ("pedigree", name), "int", f"谱系矩阵：{zh}",
               f"{owner}: pedigree score for {name}, 1 (best) to 5; give all five or none")
        for name, zh in names.items()
    )  # fmt: skip


PRODUCT = (
    Column("code", ("code",), "text", "模型代码", "the model's code: letters, digits, . _ -"),
    Column("name_en", ("product", "name_en"), "text", "产品名称（英文）", "product name, English"),
    Column("name_zh", ("product", "name_zh"), "text", "产品名称（中文）", "product name, Chinese"),
    Column("category", ("product", "category"), "text", "产品类别代码",
           "catalogue category code (optional)"),
    Column("declared_unit_amount", ("product", "declared_unit", "amount"), "number",
           "声明单位数量", "amount of the declared or functional unit, e.g. 1"),
    Column("declared_unit_unit", ("product", "declared_unit", "unit"), "text", "声明单位",
           "unit of the declared unit: piece, kg, kWh…"),
    Column("boundary", ("product", "boundary"), "text", "系统边界",
           "cradle_to_gate, cradle_to_grave or gate_to_gate"),
    Column("reference_period_start", ("product", "reference_period", 0), "date",
           "数据时间范围（开始）", "first day of the reference period, YYYY-MM-DD"),
    Column("reference_period_end", ("product", "reference_period", 1), "date",
           "数据时间范围（结束）", "last day of the reference period, YYYY-MM-DD"),
    Column("gwp_set", ("product", "gwp_set"), "text", "GWP 版本", "AR6 (when empty) or AR5"),
    Column("reference_process", ("product", "reference_process"), "text", "参考工序",
           "id of the process that makes the product (sheet processes)"),
    Column("site", ("product", "site"), "text", "生产场所", "site name (optional)"),
    Column("description", ("product", "description"), "long", "描述", "free text (optional)"),
    Column("illustrative", ("product", "illustrative"), "bool", "示例数据",
           "TRUE for an illustrative model, not real data; FALSE when empty"),
)  # fmt: skip

PROCESSES = (
    Column("id", ("id",), "text", "工序代码", "process id, unique: letters, digits, . _ -"),
    Column("name", ("name",), "text", "工序名称", "process name"),
    Column("stage", ("stage",), "text", "生命周期阶段",
           "raw_materials, production, distribution, use or end_of_life"),
    Column("location", ("location",), "text", "地点", "geography code (CN-CQ) or site"),
    Column("output_amount", ("output", "amount"), "number", "产出数量", "reference output"),
    Column("output_unit", ("output", "unit"), "text", "产出单位", "unit of the output"),
    Column("output_mass_kg", ("output_mass_kg",), "number", "产出质量（kg）",
           "mass of the output, for physical allocation (optional)"),
    Column("output_price", ("output_price",), "number", "产出价格",
           "price of the output, for economic allocation (optional)"),
    Column("allocation", ("allocation",), "text", "分配方法",
           "physical or economic (optional; else the rule's order decides)"),
)  # fmt: skip

_FOOTPRINT: tuple[tuple[str, CellType, str, str], ...] = (
    ("per_unit", "text", "供应商声明单位", "the supplier's declared unit: kg, piece…"),
    ("total", "number", "单位碳足迹", "kg CO2e per unit, excluding biogenic removals"),
    ("fossil", "number", "化石碳排放", "kg CO2e per unit from fossil carbon"),
    ("biogenic_emission", "number", "生物源排放", "kg CO2e per unit of biogenic emissions"),
    ("biogenic_removal", "number", "生物源移除", "kg CO2 per unit taken up (positive)"),
    ("land_use_change", "number", "土地利用变化", "kg CO2e per unit from land use change"),
    ("data_quality_rating", "number", "数据质量评级", "1 (best) to 5"),
    ("primary_data_share", "number", "初级数据占比", "share of primary data, 0 to 1"),
    ("source", "text", "足迹来源", "PACT footprint id or document"),
)

EXCHANGES = (
    Column("process", None, "text", "所属工序", "id of the process the exchange belongs to"),
    Column("kind", ("kind",), "text", "类型",
           "emission, activity, transport, electricity, process, supplier or model"),
    Column("name", ("name",), "text", "名称", "a name for the exchange (optional)"),
    Column("data_type", ("data_type",), "text", "数据类型",
           "primary (初级数据) or secondary (次级数据, when empty)"),
    Column("amount", ("amount",), "number", "数量", "amount (every kind but transport)"),
    Column("unit", ("unit",), "text", "单位",
           "unit of amount (emission: kg when empty; electricity: kWh when empty)"),
    Column("gas", ("gas",), "text", "温室气体", "emission: the gas, e.g. co2_fossil, ch4_fossil"),
    Column("origin", ("origin",), "text", "碳来源",
           "emission: fossil, biogenic or land_use_change (optional)"),
    Column("factor_key", ("factor", "key"), "text", "排放因子代码",
           "activity, transport: the factor's key (transport: per t·km)"),
    Column("factor_version", ("factor", "version"), "int", "因子版本",
           "a pinned factor version; the newest published when empty"),
    Column("packaging", ("packaging",), "bool", "是否包装",
           "activity, process: TRUE for packaging; FALSE when empty"),
    Column("mass_amount", ("mass", "amount"), "number", "运输质量", "transport: mass carried"),
    Column("mass_unit", ("mass", "unit"), "text", "质量单位", "transport: unit of the mass"),
    Column("distance_amount", ("distance", "amount"), "number", "运输距离",
           "transport: distance"),
    Column("distance_unit", ("distance", "unit"), "text", "距离单位",
           "transport: unit of the distance"),
    Column("grid_key", ("grid", "key"), "text", "电网因子代码",
           "electricity: the location-based grid factor's key"),
    Column("grid_version", ("grid", "version"), "int", "电网因子版本", "electricity: pinned"),
    Column("residual_key", ("residual", "key"), "text", "剩余电力因子代码",
           "electricity: residual mix factor for the market-based result (optional)"),
    Column("residual_version", ("residual", "version"), "int", "剩余电力因子版本",
           "electricity: pinned"),
    Column("input_process", ("process",), "text", "输入工序",
           "process: id of the process the input comes from"),
    Column("input_model", ("model",), "text", "输入产品模型",
           "model: code of another product model of your organisation"),
    Column("supplier", ("supplier",), "text", "供应商", "supplier: the supplier's name"),
    *(Column(f"footprint_{name}", ("footprint", name), kind, zh, f"supplier: {en}")
      for name, kind, zh, en in _FOOTPRINT),
    *_pedigree("any kind"),
    Column("gsd", ("gsd",), "number", "几何标准差", "geometric standard deviation, 1 to 100"),
    Column("note", ("note",), "long", "备注", "free text (optional)"),
)  # fmt: skip

INSTRUMENTS = (
    Column("process", None, "text", "所属工序", "id of the process of the electricity"),
    Column("exchange", None, "int", "交换序号",
           "which exchange of that process: 1 = its first row in sheet exchanges"),
    Column("type", ("type",), "text", "工具类型",
           "green_certificate (绿证), green_power_trading (绿电交易) or ppa"),
    Column("amount", ("amount",), "number", "电量", "amount of electricity covered"),
    Column("unit", ("unit",), "text", "单位", "kWh when empty"),
    Column("factor_key", ("factor", "key"), "text", "发电类型因子代码",
           "factor of the generation type (wind, PV, hydro…)"),
    Column("factor_version", ("factor", "version"), "int", "因子版本", "pinned (optional)"),
    Column("identifier", ("identifier",), "text", "证书编号", "certificate serials, contract"),
    Column("generator", ("generator",), "text", "发电企业", "generating plant (optional)"),
    Column("vintage", ("vintage",), "int", "生产年份", "year of generation (optional)"),
    Column("region", ("region",), "text", "区域", "region of generation (optional)"),
)  # fmt: skip

COPRODUCTS = (
    Column("process", None, "text", "所属工序", "id of the process making the co-product"),
    Column("name", ("name",), "text", "共生产品名称", "name of the co-product"),
    Column("amount", ("amount",), "number", "数量", "amount made per reference output"),
    Column("unit", ("unit",), "text", "单位", "unit of the amount"),
    Column("mass_kg", ("mass_kg",), "number", "质量（kg）", "for physical allocation"),
    Column("price", ("price",), "number", "价格", "for economic allocation, whole amount"),
)  # fmt: skip

EXCLUSIONS = (
    Column("name", ("name",), "text", "排除项", "the input left out"),
    Column("mass_share", ("mass_share",), "number", "质量占比", "share of product mass, 0 to 1"),
    Column("reason", ("reason",), "long", "排除理由", "why (cut-off criteria)"),
)  # fmt: skip

ASSUMPTIONS = (Column("text", (), "long", "假设", "one assumption or limitation per row"),)

#: The product sheet lists fields as rows under these columns.
PRODUCT_COLUMNS = (
    Column("field", None, "text", "字段", "the product field (do not change)"),
    Column("value", None, "text", "值", "its value"),
    Column("meaning", None, "long", "说明", "what the field means (not read)"),
)
TABLES: dict[str, tuple[Column, ...]] = {
    "processes": PROCESSES,
    "exchanges": EXCHANGES,
    "instruments": INSTRUMENTS,
    "coproducts": COPRODUCTS,
    "exclusions": EXCLUSIONS,
    "assumptions": ASSUMPTIONS,
}
COLUMNS: dict[str, tuple[Column, ...]] = {"product": PRODUCT_COLUMNS, **TABLES}
PRODUCT_BY_NAME = {column.name: column for column in PRODUCT}
#: Sheets the reader skips: they explain the template.
NOT_READ = ("instructions", "lists")
SHEET_ORDER = ("instructions", "product", *TABLES, "lists")

_CLASSES = get_args(get_args(Exchange)[0])
KINDS = tuple(cls.model_fields["kind"].default for cls in _CLASSES)
#: The exchange columns each kind may fill.
KIND_COLUMNS: dict[str, frozenset[str]] = {
    cls.model_fields["kind"].default: frozenset(
        c.name for c in EXCHANGES if c.path is None or c.path[0] in cls.model_fields
    )
    for cls in _CLASSES
}
BOOLEAN = ("TRUE", "FALSE")
#: Drop-down choices: (sheet, column or product field) → allowed values (sheet "lists").
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("product", "boundary"): tuple(Boundary),
    ("product", "gwp_set"): ("AR6", "AR5"),
    ("product", "illustrative"): BOOLEAN,
    ("processes", "stage"): tuple(Stage),
    ("processes", "allocation"): (AllocationMethod.PHYSICAL, AllocationMethod.ECONOMIC),
    ("exchanges", "kind"): KINDS,
    ("exchanges", "data_type"): tuple(DataType),
    ("exchanges", "gas"): tuple(Gas),
    ("exchanges", "origin"): tuple(Origin),
    ("exchanges", "packaging"): BOOLEAN,
    ("instruments", "type"): tuple(Instrument),
}

GENERAL = (
    ("填写说明", "How to fill in this template"),
    ("每个工作表第1行是英文列名（程序按它读取，请勿修改），第2行是中文说明，从第3行起填写数据。",
     "Row 1 of each sheet holds the keys the reader uses (do not change them), row 2 the "
     "Chinese labels; data start on row 3."),
    ("空单元格表示不填该字段（采用默认值）；数字请以数字填写。",
     "An empty cell means the field is absent (its default applies); numbers stay numbers."),
    ("请勿使用公式：复制数据后请使用“选择性粘贴 → 数值”。",
     "No formulas: paste values only (Paste Special → Values)."),
    ("请勿新增、重命名工作表或列：未知的工作表或列会被报错。",
     "Do not add or rename sheets or columns: unknown ones are reported as errors."),
    ("带下拉列表的列只接受列表中的值（见 lists 工作表）。",
     "Columns with a drop-down take only its values (listed on sheet lists)."),
)  # fmt: skip
SHEETS: dict[str, tuple[str, str]] = {
    "product": ("产品信息：每行一个字段，在“值”列填写。",
                "The product: one field per row; fill in the value column."),
    "processes": ("工序：每行一个工序（单元过程），包括生命周期阶段和参考产出。",
                  "Processes: one row per process, with its stage and reference output."),
    "exchanges": ("输入与排放：每行一项，“所属工序”填写 processes 中的工序代码；按类型填写对应列，"
                  "其他列留空。",
                  "Exchanges: one row each; process names a row of processes; fill the "
                  "columns of its kind and leave the others empty."),
    "instruments": ("电力合同工具（绿证、绿电交易、PPA）：对应某工序的第几项电力交换。",
                    "Contractual instruments (green certificates, green power, PPA) of an "
                    "electricity exchange: its process and its number within that process."),
    "coproducts": ("共生产品：用于分配。", "Co-products of a process, for allocation."),
    "exclusions": ("按取舍准则排除的输入及其质量占比和理由。",
                   "Inputs left out under the cut-off criteria, with mass share and reason."),
    "assumptions": ("假设与局限：每行一条。", "Assumptions and limitations, one per row."),
    "lists": ("下拉列表的可选值（不读取）。", "The values of the drop-down lists (not read)."),
}  # fmt: skip


# Model data ↔ rows ---------------------------------------------------------------------------


def records(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The model's JSON form as the rows (column → value) of each table sheet."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}

    def add(sheet: str, item: Any, **owner: Any) -> None:
        columns = TABLES[sheet]
        tables[sheet].append(
            owner | {c.name: value_at(item, c.path) for c in columns if c.path is not None}
        )

    for process in data["processes"]:
        add("processes", process)
        for number, exchange in enumerate(process.get("exchanges", ()), start=1):
            add("exchanges", exchange, process=process["id"])
            for instrument in exchange.get("instruments", ()):
                add("instruments", instrument, process=process["id"], exchange=number)
        for coproduct in process.get("coproducts", ()):
            add("coproducts", coproduct, process=process["id"])
    for exclusion in data.get("exclusions", ()):
        add("exclusions", exclusion)
    for assumption in data.get("assumptions", ()):
        add("assumptions", assumption)
    return tables


def value_at(item: Any, path: tuple[str | int, ...] | None) -> Any:
    """The value at a path, or None where the data has nothing."""
    for part in path or ():
        if isinstance(item, dict):
            item = item.get(part)
        elif isinstance(item, list) and isinstance(part, int) and part < len(item):
            item = item[part]
        else:
            return None
    return item


def put(target: Any, path: tuple[str | int, ...], value: Any) -> None:
    """Set a value at a path, making the parents (a pair for an index: reference_period)."""
    for part, following in itertools.pairwise(path):
        target = target.setdefault(part, [None, None] if isinstance(following, int) else {})
    target[path[-1]] = value


def item(sheet: str, record: dict[str, Any]) -> Any:
    """One row (column → typed value) as its item of the model's data."""
    if sheet == "assumptions":
        return record["text"]
    data: dict[str, Any] = {}
    for column in TABLES[sheet]:
        if column.path and column.name in record:
            put(data, column.path, record[column.name])
    return data


# The empty workbook ---------------------------------------------------------------------------


def template() -> Workbook:
    """The empty template: every sheet with its headers, drop-down lists and instructions."""
    book = Workbook()
    book.remove(book.active)
    _instructions(book.create_sheet("instructions"))
    product = book.create_sheet("product")
    _headers(product, PRODUCT_COLUMNS)
    for row, column in enumerate(PRODUCT, start=FIRST_ROW):
        product.cell(row, 1, column.name).font = BOLD
        product.cell(row, 3, f"{column.zh}：{column.en}")
    for width, letter in zip((26, 32, 80), "ABC", strict=True):
        product.column_dimensions[letter].width = width
    for name, columns in TABLES.items():
        _headers(book.create_sheet(name), columns)
    _lists(book)
    return book


def _headers(sheet: Worksheet, columns: tuple[Column, ...]) -> None:
    for index, column in enumerate(columns, start=1):
        key = sheet.cell(1, index, column.name)
        key.font = BOLD
        key.comment = Comment(f"{column.zh}\n{column.en}", "pcfhub", height=90, width=260)
        sheet.cell(2, index, column.zh).font = LABEL
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.name) + 4)
    sheet.freeze_panes = f"A{FIRST_ROW}"


def _instructions(sheet: Worksheet) -> None:
    """Chinese and English: the rules, each sheet, and each column with its meaning."""
    heading = "sheet 工作表"
    sheet.append([None, None, *GENERAL[0]])
    sheet.append([])
    for zh, en in GENERAL[1:]:
        sheet.append([None, None, zh, en])
    sheet.append([])
    sheet.append([heading, None, "说明", "description"])
    for name, (zh, en) in SHEETS.items():
        sheet.append([name, None, zh, en])
    sheet.append([])
    sheet.append([heading, "column 列", "中文", "meaning"])
    for name, columns in (("product", PRODUCT), *TABLES.items()):
        for column in columns:
            sheet.append([name, column.name, column.zh, column.en])
    for row in sheet.iter_rows():
        bold = row[0].value == heading or row[2].value == GENERAL[0][0]
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold:
                cell.font = BOLD
    for width, letter in zip((14, 26, 50, 70), "ABCD", strict=True):
        sheet.column_dimensions[letter].width = width


def _lists(book: Workbook) -> None:
    """Sheet ``lists`` with the allowed values, and a drop-down on each column that has them."""
    lists = book.create_sheet("lists")
    fields = [column.name for column in PRODUCT]
    for index, ((target, name), values) in enumerate(CHOICES.items(), start=1):
        letter = get_column_letter(index)
        lists.cell(1, index, f"{target}.{name}").font = BOLD
        lists.column_dimensions[letter].width = max(16, len(target) + len(name) + 3)
        for row, value in enumerate(values, start=2):
            lists.cell(row, index, str(value))
        validation = DataValidation(
            type="list",
            formula1=f"lists!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="pcfhub",
            error="请从下拉列表中选择（见 lists 工作表）。"
            "Choose a value of the list (sheet lists).",
        )
        if target == "product":
            validation.add(f"B{FIRST_ROW + fields.index(name)}")
        else:
            column = get_column_letter(1 + [c.name for c in TABLES[target]].index(name))
            validation.add(f"{column}{FIRST_ROW}:{column}{FIRST_ROW + MAX_ROWS - 1}")
        book[target].add_data_validation(validation)
