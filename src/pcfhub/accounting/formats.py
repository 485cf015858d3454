"""Product models as files: YAML, JSON (docs/modelling.md) and the xlsx template.

Reading checks the whole file and raises one `DataFileError` listing every problem as
``FILE, PATH: why`` (``widget.yaml, processes[1].exchanges[0].amount: Input should be a valid
number``); nothing is saved from a file with a problem. Writing gives back the same model:
``read_model(write_model(m, f), f) == m`` for every format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from pcfhub.accounting.model import ProductModel
from pcfhub.catalogue.formats import parse_text, path_of
from pcfhub.errors import DataFileError

ModelFormat = Literal["yaml", "json", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "yaml": "application/yaml",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_PROBLEMS = 50


def model_from_data(file: str, data: Any) -> ProductModel:
    """Validate parsed data as a product model; every problem named by its path."""
    if not isinstance(data, dict):
        raise DataFileError(f"{file}: a product model is a mapping with code, product, processes.")
    try:
        return ProductModel.model_validate(data)
    except ValidationError as error:
        problems = [
            f"{file}, {path_of(_readable(e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        ]
        more = len(problems) - MAX_PROBLEMS
        text = "\n".join(problems[:MAX_PROBLEMS]) + (f"\n… and {more} more" if more > 0 else "")
        raise DataFileError(text) from None


def _readable(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop pydantic's union tags (``exchanges[0].activity.amount`` → ``exchanges[0].amount``)."""
    kinds = {"emission", "activity", "transport", "electricity", "process", "supplier", "model"}
    return tuple(
        part
        for i, part in enumerate(loc)
        if not (isinstance(part, str) and part in kinds and i > 0 and isinstance(loc[i - 1], int))
    )


def read_model(file: str, content: bytes) -> ProductModel:
    """A model from the bytes of a .yaml, .yml, .json or .xlsx file."""
    if Path(file).suffix.lower() == ".xlsx":
        from pcfhub.accounting.workbook import read_workbook

        return model_from_data(file, read_workbook(file, content))
    return model_from_data(file, parse_text(file, content))


def read_model_path(path: Path) -> ProductModel:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise DataFileError(f"{path}: cannot be read: {error.strerror}.") from None
    return read_model(path.name, content)


def write_model(model: ProductModel, format: ModelFormat) -> bytes:
    """The model as a file of ``format``; empty fields are left out."""
    data = model.model_dump(mode="json", exclude_none=True)
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    if format == "yaml":
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
        return text.encode("utf-8")
    from pcfhub.accounting.workbook import write_workbook

    return write_workbook(model)
