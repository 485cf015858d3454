"""The model editor's form: field names that spell a product model's paths, and back.

A field's name is its place in the model, ``processes.0.exchanges.2.amount``. `nest` turns the
submitted fields into the nested mapping of strings the page is drawn from, exactly as typed;
`ModelForm` cleans that into the data of a `ProductModel` (empty optional fields and blank rows
left out, checkboxes as booleans, an exchange keeping only the fields of its kind) and leaves
numbers as text, so that pydantic's errors name the field; `ModelForm.problems` puts each
error next to the field (or row) it is about. `form_values` is the reverse: a model as the
mapping the page is drawn from.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import ValidationError

from pcfhub.accounting.model import Exchange, ProductModel
from pcfhub.errors import PcfhubError

Loc = tuple[str | int, ...]
ROOTS = frozenset({"code", "product", "processes", "exclusions", "assumptions"})
SEGMENT = re.compile(r"^(?:[a-z][a-z0-9_]{0,40}|\d{1,3})$")
CHECKED = frozenset({"true", "on", "1"})
CHECKBOXES = frozenset({"illustrative", "packaging"})
ROW_LISTS = ("processes", "exchanges", "instruments", "coproducts", "exclusions")
SECTIONS = ("processes", "exclusions", "assumptions")

#: The fields each kind of exchange has, read from the model's own classes.
KIND_FIELDS: dict[str, frozenset[str]] = {
    cls.model_fields["kind"].default: frozenset(cls.model_fields)
    for cls in get_args(get_args(Exchange)[0])
}
#: A mistake about a whole object is shown at its first field.
FIRST_FIELD = {
    "factor": "key", "grid": "key", "residual": "key", "mass": "amount", "distance": "amount",
    "output": "amount", "declared_unit": "amount", "reference_period": 0, "footprint": "total",
    "pedigree": "reliability",
}  # fmt: skip
#: The label (a key of the [editor] messages, or a gas/pedigree name) of a field, by its path
#: without row numbers, longest match first.
LABELS = {
    "code": "code", "name_en": "name_en", "name_zh": "name_zh", "category": "category",
    "declared_unit.amount": "declared_unit", "boundary": "boundary",
    "gwp_set": "gwp_set",
    "reference_process": "reference_process", "site": "site", "description": "description",
    "illustrative": "illustrative", "id": "process_id", "name": "name", "stage": "stage",
    "location": "location", "output.amount": "output", "output_mass_kg": "output_mass_kg",
    "output_price": "output_price", "allocation": "allocation", "kind": "kind",
    "data_type": "data_type", "factor.key": "factor_key", "factor.version": "factor_version",
    "amount": "amount", "unit": "unit", "gas": "gas", "origin": "origin",
    "packaging": "packaging", "mass.amount": "mass", "distance.amount": "distance",
    "grid.key": "grid_key", "grid.version": "factor_version", "residual.key": "residual_key",
    "residual.version": "factor_version", "type": "instrument_type",
    "identifier": "identifier", "generator": "generator", "vintage": "vintage",
    "region": "region", "process": "input_process", "supplier": "supplier",
    "footprint.per_unit": "per_unit_of_supplier", "footprint.total": "footprint_total",
    "footprint.fossil": "footprint_fossil",
    "footprint.biogenic_emission": "footprint_biogenic_emission",
    "footprint.biogenic_removal": "footprint_biogenic_removal",
    "footprint.land_use_change": "footprint_land_use_change",
    "footprint.data_quality_rating": "footprint_data_quality_rating",
    "footprint.primary_data_share": "footprint_primary_data_share",
    "footprint.source": "footprint_source",
    "model": "input_model", "gsd": "gsd", "note": "note", "mass_kg": "mass_kg",
    "price": "price", "mass_share": "mass_share", "reason": "reason",
    "assumptions": "assumption",
}  # fmt: skip
CRUMBS = {"processes": "process", "exchanges": "exchange", "instruments": "instrument",
          "coproducts": "coproduct", "exclusions": "exclusion"}  # fmt: skip


def nest(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The submitted fields as a nested mapping: numbered parts become lists (in order).

    Names outside the model (the CSRF token, the change note) and malformed names are left
    out; the last of two fields with one name wins.
    """
    tree: dict[str | int, Any] = {}
    for name, value in items:
        parts = name.split(".")
        if parts[0] not in ROOTS or not all(SEGMENT.match(part) for part in parts):
            continue
        keys = [int(part) if part.isdigit() else part for part in parts]
        node = tree
        for key in keys[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):
                break
        else:
            if not isinstance(node.get(keys[-1]), dict):
                node[keys[-1]] = value
    nested = _as_lists(tree)
    assert isinstance(nested, dict)
    return nested


def _as_lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    numbered = sorted(key for key in node if isinstance(key, int))
    if numbered:  # a list; a named part among its rows is a malformed name, left out
        return [_as_lists(node[key]) for key in numbered]
    return {key: _as_lists(value) for key, value in node.items() if isinstance(key, str)}


def form_values(model: ProductModel) -> dict[str, Any]:
    """A model as the nested mapping of strings the editor is drawn from."""
    return _as_text(model.model_dump(mode="json", exclude_none=True))


def _as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_text(v) for k, v in value.items() if v is not False}
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    if value is True:
        return "true"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def pick(node: Any, path: str) -> str:
    """The text at ``path`` (``factor.key``) of a nested mapping, or ''."""
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return ""
    return node if isinstance(node, str) else ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _prune(value: Any) -> Any:
    """Strings stripped, empty ones and empty objects left out; a list (the reference
    period) keeps its positions."""
    if isinstance(value, dict):
        kept = {key: pruned for key, item in value.items() if (pruned := _prune(item)) is not None}
        return kept or None
    if isinstance(value, list):
        texts = [_text(item) for item in value]
        return texts if any(texts) else None
    return _text(value) or None


@dataclass(frozen=True)
class Problem:
    """One problem: where it is shown (a field's or row's name; '' for the whole model), how
    a person finds it (crumbs: row kind and number; the field's label) and why."""

    where: str
    message: str
    crumbs: tuple[tuple[str, int], ...] = ()
    label: tuple[str, str] | None = None

    @property
    def anchor(self) -> str:
        """The id of the element the problem is shown at."""
        if not self.where:
            return "problems"
        if self.where in SECTIONS:
            return f"section-{self.where}"
        return f"{'r' if self.is_row else 'f'}-{self.where.replace('.', '-')}"

    @property
    def is_row(self) -> bool:
        parts = self.where.split(".")
        return len(parts) >= 2 and parts[-1].isdigit() and parts[-2] in ROW_LISTS


class ModelForm:
    """A submitted form, cleaned into a product model's data; its problems, placed."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self._kept: dict[Loc, list[int]] = {}  # a list's path → the rows kept, by number
        self.data = self._clean()

    def model(self) -> ProductModel:
        """The product model; a pydantic ValidationError names each wrong field."""
        return ProductModel.model_validate(self.data)

    # cleaning

    def _rows(self, value: Any, path: Loc, clean: Any) -> list[Any]:
        rows: list[Any] = []
        kept = self._kept.setdefault(path, [])
        for number, item in enumerate(value if isinstance(value, list) else []):
            cleaned = clean(item, (*path, number))
            if cleaned is not None:
                rows.append(cleaned)
                kept.append(number)
        return rows

    def _clean(self) -> dict[str, Any]:
        raw = self.raw
        data: dict[str, Any] = {}
        if code := _text(raw.get("code")):
            data["code"] = code
        data["product"] = self._object(raw.get("product"), blank=()) or {}
        data["processes"] = self._rows(raw.get("processes"), ("processes",), self._process)
        if exclusions := self._rows(raw.get("exclusions"), ("exclusions",), self._object):
            data["exclusions"] = exclusions
        assumptions = self._rows(raw.get("assumptions"), ("assumptions",), _assumption)
        if assumptions:
            data["assumptions"] = assumptions
        return data

    def _object(self, value: Any, path: Loc = (), blank: Iterable[str] = ()) -> Any:
        """A row or object: its filled fields; None when nothing but ``blank`` is filled."""
        if not isinstance(value, dict):
            return None
        kept: dict[str, Any] = {}
        for key, item in value.items():
            if key in CHECKBOXES:
                if _text(item) in CHECKED:
                    kept[key] = True
            elif (pruned := _prune(item)) is not None:
                kept[key] = pruned
        return kept if set(kept) - set(blank) else None

    def _process(self, value: Any, path: Loc) -> Any:
        if not isinstance(value, dict):
            return None
        plain = {k: v for k, v in value.items() if k not in ("exchanges", "coproducts")}
        process = self._object(plain, path, blank=("stage",)) or {}
        exchanges = self._rows(value.get("exchanges"), (*path, "exchanges"), self._exchange)
        coproducts = self._rows(value.get("coproducts"), (*path, "coproducts"), self._object)
        if exchanges:
            process["exchanges"] = exchanges
        if coproducts:
            process["coproducts"] = coproducts
        return process if set(process) - {"stage"} else None

    def _exchange(self, value: Any, path: Loc) -> Any:
        if not isinstance(value, dict):
            return None
        allowed = KIND_FIELDS.get(_text(value.get("kind")))
        own = {k: v for k, v in value.items() if allowed is None or k in allowed}
        plain = {k: v for k, v in own.items() if k != "instruments"}
        exchange = self._object(plain, path, blank=("kind", "data_type")) or {}
        instruments = self._rows(own.get("instruments"), (*path, "instruments"), self._instrument)
        if instruments:
            exchange["instruments"] = instruments
        return exchange if set(exchange) - {"kind", "data_type"} else None

    def _instrument(self, value: Any, path: Loc) -> Any:
        return self._object(value, path, blank=("type",))

    # placing problems

    def _raw_loc(self, loc: Loc) -> Loc:
        """A location in the cleaned data as one in the form (blank rows were left out)."""
        out: list[str | int] = []
        for part in loc:
            kept = self._kept.get(tuple(out))
            if isinstance(part, int) and kept is not None and part < len(kept):
                part = kept[part]
            out.append(part)
        return tuple(out)

    def problems(self, error: ValidationError | PcfhubError) -> list[Problem]:
        """Every problem, each placed at the field or row it is about."""
        if isinstance(error, ValidationError):
            errors = error.errors()
            inner = {tuple(e["loc"][:i]) for e in errors for i in range(len(e["loc"]))}
            # pydantic counts a list's wrong rows out: "at least 1 item" is then no news
            errors = [e for e in errors if not (e["type"] == "too_short" and e["loc"] in inner)]
            placed = [self._place_validation(e) for e in errors]
        else:
            placed = [self._place_service(line) for line in str(error).splitlines() if line]
        return [problem for group in placed for problem in group]

    def _problem(self, loc: Loc, message: str) -> Problem:
        crumbs = tuple(
            (CRUMBS[str(loc[i - 1])], part + 1)
            for i, part in enumerate(loc)
            if isinstance(part, int) and i and loc[i - 1] in CRUMBS
        )
        return Problem(".".join(map(str, loc)), message, crumbs, _label(loc))

    def _place_validation(self, error: Any) -> list[Problem]:
        message = str(error["msg"]).removeprefix("Value error, ")
        loc = self._raw_loc(_untagged(tuple(error["loc"])))
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "kind")
        elif loc and loc[-1] in FIRST_FIELD and error["type"] != "value_error":
            loc = (*loc, FIRST_FIELD[str(loc[-1])])  # the whole object is missing or wrong
        if error["type"] == "value_error":
            return [self._problem(spot, message) for spot in self._validator_spots(loc, message)]
        return [self._problem(loc, message)]

    def _validator_spots(self, loc: Loc, message: str) -> list[Loc]:
        """Where a check across fields (a model validator) points."""
        if loc == ("product",) and "reference_period" in message:
            return [("product", "reference_period", 1)]
        if len(loc) == 2 and loc[0] == "processes" and "allocation" in message:
            return [(*loc, "allocation")]
        if loc:
            return [loc]
        processes = self.raw.get("processes")
        rows = [p for p in processes if isinstance(p, dict)] if isinstance(processes, list) else []
        ids = [_text(p.get("id")) for p in rows]
        spots: list[Loc] = []
        if "appear more than once" in message:
            spots = [("processes", i, "id") for i, pid in enumerate(ids) if ids.count(pid) > 1]
        elif "product.reference_process" in message:
            spots = [("product", "reference_process")]
        elif "unknown process" in message:
            spots = self._spots(("process",), lambda v: bool(v) and v not in ids)
        elif "as its own input" in message:
            spots = self._spots(("model",), lambda v: v == _text(self.raw.get("code")))
        return spots or [()]

    def _spots(self, names: tuple[str, ...], wrong: Callable[[str], bool]) -> list[Loc]:
        """The fields ``names`` of every exchange (of its own kind) and instrument in the form
        whose text is ``wrong``."""
        spots: list[Loc] = []
        for i, process in enumerate(_list(self.raw.get("processes"))):
            for k, exchange in enumerate(_list(process.get("exchanges"))):
                here: Loc = ("processes", i, "exchanges", k)
                own = KIND_FIELDS.get(_text(exchange.get("kind")), frozenset())
                rows = [(here, exchange, own)] + [
                    ((*here, "instruments", j), instrument, frozenset({"factor"}))
                    for j, instrument in enumerate(_list(exchange.get("instruments")))
                ]
                spots += [
                    (*spot, *_path(name))
                    for spot, row, fields in rows
                    for name in names
                    if name.split(".")[0] in fields and wrong(pick(row, name))
                ]
        return spots

    def _place_service(self, line: str) -> list[Problem]:
        """An accounting error's line, placed by the path or the factor it names."""
        spots: list[Loc] = []
        if found := SERVICE_PLACE.match(line):
            process, exchange, field = found.group(1, 2, 3)
            loc: Loc = ("processes", int(process))
            if exchange is not None:
                loc = (*loc, "exchanges", int(exchange))
            spots = [self._raw_loc((*loc, field) if field else loc)]
        elif found := re.match(r"^factor '([^']+)'", line):
            key = found.group(1)
            spots = self._spots(("factor.key", "grid.key", "residual.key"), lambda v: v == key)
        elif found := re.match(r"^model '([^']+)'", line):
            code = found.group(1)
            spots = self._spots(("model",), lambda v: v == code)
        elif found := re.match(r"^product\.(\w+)", line):
            name = found.group(1)
            spots = [("product", name, *([FIRST_FIELD[name]] if name in FIRST_FIELD else []))]
        return [self._problem(spot, line) for spot in spots or [()]]


# `processes[1] (frame).exchanges[0].model: …` — the model's own processes (no sub-model path).
SERVICE_PLACE = re.compile(r"^processes\[(\d+)\] \([^)/]*\)(?:\.exchanges\[(\d+)\])?(?:\.(\w+))?")


def _assumption(value: Any, path: Loc) -> str | None:
    return _text(value) or None


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _path(name: str) -> Loc:
    return tuple(int(part) if part.isdigit() else part for part in name.split("."))


def _untagged(loc: Loc) -> Loc:
    """Drop pydantic's union tags: ``exchanges.0.activity.amount`` → ``exchanges.0.amount``."""
    return tuple(
        part
        for i, part in enumerate(loc)
        if not (part in KIND_FIELDS and i > 0 and isinstance(loc[i - 1], int))
    )


def _label(loc: Loc) -> tuple[str, str] | None:
    """(message section, key) of the field's label: ("editor", "amount"), ("pedigree", …)."""
    names = [str(part) for part in loc if not isinstance(part, int)]
    if names[-1:] == ["reference_period"]:
        return ("editor", "period_start" if loc[-1] == 0 else "period_end")
    if len(names) >= 2 and names[-2] == "pedigree":
        return ("pedigree", names[-1])
    if names and names[-1] == "assumptions":
        return ("editor", "assumption")
    for size in (2, 1):
        key = ".".join(names[-size:])
        if len(names) >= size and key in LABELS:
            return ("editor", LABELS[key])
    return None
