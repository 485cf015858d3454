"""Catalogue and rule documents as files: TOML, YAML or JSON (docs/catalogue.md).

A file holds either a catalogue (a table with ``sectors``) or rules (a list ``rules``, or one
rule). The whole file is checked before anything is returned, and one `DataFileError` lists
every problem as ``FILE, PATH: why`` with the path in the document, for example
``catalogue.toml, sectors[2].categories[0].hs_codes[1]: String should match pattern …``.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pcfhub.catalogue.model import CatalogueData, RuleData
from pcfhub.errors import DataFileError

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
SUFFIXES = (".toml", ".yaml", ".yml", ".json")
Document = CatalogueData | tuple[RuleData, ...]


def path_of(loc: tuple[int | str, ...]) -> str:
    """A pydantic location as a path: ('sectors', 2, 'hs_codes', 1) → sectors[2].hs_codes[1]."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif str(part).isidentifier():
            text += f".{part}" if text else str(part)
        else:
            text += f"[{str(part)!r}]"
    return text or "(document)"


def _problems(file: str, error: ValidationError, prefix: tuple[int | str, ...] = ()) -> list[str]:
    return [
        f"{file}, {path_of(prefix + tuple(e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    ]


def parse_text(file: str, content: bytes) -> Any:
    """The data of a TOML, YAML or JSON file, chosen by the file name's ending."""
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DataFileError(f"{file}: larger than {MAX_DOCUMENT_BYTES // 1024} KiB.")
    suffix = Path(file).suffix.lower()
    if suffix not in SUFFIXES:
        raise DataFileError(f"{file}: not a .toml, .yaml, .yml or .json file.")
    try:
        text = content.decode("utf-8-sig")
        if suffix == ".toml":
            return tomllib.loads(text)
        if suffix == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except UnicodeDecodeError:
        raise DataFileError(f"{file}: not UTF-8 text; save it as UTF-8.") from None
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as error:
        kind = {".toml": "TOML", ".json": "JSON"}.get(suffix, "YAML")
        raise DataFileError(f"{file}: not valid {kind}: {error}".strip()) from None
    except RecursionError:
        raise DataFileError(f"{file}: nested too deeply.") from None


def to_catalogue(file: str, data: Any) -> CatalogueData:
    """A catalogue document from parsed data; every problem named by its path."""
    try:
        return CatalogueData.model_validate(data)
    except ValidationError as error:
        raise DataFileError("\n".join(_problems(file, error))) from None


def to_rules(file: str, data: Any) -> tuple[RuleData, ...]:
    """The rules of a rules document (``rules = [...]``, or a single rule)."""
    items = data.get("rules") if isinstance(data, dict) and "rules" in data else [data]
    if not isinstance(items, list) or not items:
        raise DataFileError(f"{file}, rules: give a list of one or more rules.")
    prefix: tuple[str, ...] = ("rules",) if isinstance(data, dict) and "rules" in data else ()
    rules: list[RuleData] = []
    problems: list[str] = []
    for index, item in enumerate(items):
        try:
            rules.append(RuleData.model_validate(item))
        except ValidationError as error:
            problems += _problems(file, error, (*prefix, index) if prefix else ())
    codes = [rule.code for rule in rules]
    twice = sorted({code for code in codes if codes.count(code) > 1})
    if twice:
        problems.append(f"{file}, rules: code(s) {', '.join(twice)} appear twice.")
    if problems:
        raise DataFileError("\n".join(problems))
    return tuple(rules)


def read_document(file: str, content: bytes) -> Document:
    """A catalogue (a table with ``sectors``) or rules (``rules``, or one rule) from a file."""
    data = parse_text(file, content)
    if not isinstance(data, dict):
        raise DataFileError(f"{file}: the document must be a table (mapping) at the top.")
    if "sectors" in data:
        return to_catalogue(file, data)
    if "rules" in data or "boundary" in data:
        return to_rules(file, data)
    raise DataFileError(
        f"{file}: neither a catalogue (it has no 'sectors') nor rules (no 'rules' list); see "
        "docs/catalogue.md for both formats."
    )


def read_path(path: Path) -> Document:
    """`read_document` of a file on disk."""
    return read_document(path.name, path.read_bytes())
