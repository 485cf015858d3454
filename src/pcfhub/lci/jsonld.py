"""openLCA JSON-LD packages (zip or folder), in the 1.x schema and the 2.x schema.

The two differ in ways real packages show: 1.x names a category by an object pointing into
``categories/`` and flags exchanges with ``input`` / ``quantitativeReference``; 2.x writes the
category as an "a/b/c" path and says ``isInput`` / ``isQuantitativeReference``. Both give an
exchange's amount in any unit of any property of its flow; the reader converts it to the flow's
reference unit through the unit groups and the flow's property factors.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pcfhub.errors import DataFileError
from pcfhub.lci.model import (
    AllocationFactor,
    AllocationMethod,
    Exchange,
    Flow,
    FlowKind,
    Inventory,
    Process,
)
from pcfhub.lci.packages import Package, folder_of
from pcfhub.lci.text import normalise_cas, year_of

FLOW_KINDS = {
    "ELEMENTARY_FLOW": FlowKind.ELEMENTARY,
    "PRODUCT_FLOW": FlowKind.PRODUCT,
    "WASTE_FLOW": FlowKind.WASTE,
}
ALLOCATION_TYPES = {
    "PHYSICAL_ALLOCATION": AllocationMethod.PHYSICAL,
    "ECONOMIC_ALLOCATION": AllocationMethod.ECONOMIC,
    "CAUSAL_ALLOCATION": AllocationMethod.CAUSAL,
}
FOLDERS = ("categories", "unit_groups", "flow_properties", "flows", "locations", "processes")


def _flag(item: dict[str, Any], v1: str, v2: str) -> bool:
    return bool(item.get(v2, item.get(v1, False)))


def _ref_id(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value.get("@id") if isinstance(value, dict) else None


@dataclass
class _Units:
    """Unit groups and flow properties: how to bring an amount to a flow's reference unit."""

    group_units: dict[str, dict[str, float]] = field(default_factory=dict)  # by id and name
    group_reference: dict[str, str] = field(default_factory=dict)
    property_group: dict[str, str] = field(default_factory=dict)


@dataclass
class _Reader:
    package: Package
    inventory: Inventory
    category_parent: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    units: _Units = field(default_factory=_Units)
    locations: dict[str, str] = field(default_factory=dict)
    flow_factors: dict[str, dict[str, float]] = field(default_factory=dict)
    flow_reference_property: dict[str, str] = field(default_factory=dict)
    schema_1x: bool = False

    # ----- helpers
    def _load(self, member: str, data: bytes) -> dict[str, Any]:
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError as error:
            raise DataFileError(
                f"{self.package.name}, {member}: not UTF-8 text (byte {error.start})."
            ) from None
        except json.JSONDecodeError as error:
            raise DataFileError(
                f"{self.package.name}, {member}, line {error.lineno}, column {error.colno}: "
                f"not valid JSON: {error.msg}."
            ) from None
        except RecursionError:
            raise DataFileError(f"{self.package.name}, {member}: nested too deeply.") from None
        if not isinstance(document, dict):
            raise DataFileError(f"{self.package.name}, {member}: expected a JSON object.")
        return document

    def _category(self, item: dict[str, Any]) -> str:
        value = item.get("category")
        if isinstance(value, str):
            return value
        if not isinstance(value, dict):
            return ""
        self.schema_1x = True
        parts: list[str] = []
        current: str | None = value.get("@id")
        seen: set[str] = set()
        while current and current not in seen and current in self.category_parent:
            seen.add(current)
            name, current = self.category_parent[current]
            parts.append(name)
        if not parts:
            parts.append(str(value.get("name", "")))
        return "/".join(reversed(parts))

    def _fail(self, member: str, dataset: str, where: str, message: str) -> DataFileError:
        return DataFileError(f"{self.package.name}, {member}, {dataset}, {where}: {message}")

    # ----- the parts, in dependency order
    def read_category(self, document: dict[str, Any]) -> None:
        parent = _ref_id(document, "category")
        self.category_parent[document["@id"]] = (str(document.get("name", "")), parent)

    def read_unit_group(self, member: str, document: dict[str, Any]) -> None:
        units: dict[str, float] = {}
        reference = None
        for unit in document.get("units", []):
            factor = float(unit.get("conversionFactor", 1.0))
            for key in (unit.get("@id"), unit.get("name"), *unit.get("synonyms", [])):
                if key:
                    units[key] = factor
            if _flag(unit, "referenceUnit", "isRefUnit"):
                reference = unit.get("name")
        if reference is None:
            raise self._fail(member, str(document.get("name")), "units", "no reference unit")
        self.units.group_units[document["@id"]] = units
        self.units.group_reference[document["@id"]] = reference

    def read_flow_property(self, document: dict[str, Any]) -> None:
        group = _ref_id(document, "unitGroup")
        if group:
            self.units.property_group[document["@id"]] = group

    def read_location(self, document: dict[str, Any]) -> None:
        self.locations[document["@id"]] = str(document.get("code") or document.get("name"))

    def read_flow(self, member: str, document: dict[str, Any]) -> None:
        dataset = f"flow {document.get('name')!r} ({document.get('@id')})"
        kind = FLOW_KINDS.get(str(document.get("flowType")))
        if kind is None:
            raise self._fail(member, dataset, "flowType", f"{document.get('flowType')!r}")
        factors: dict[str, float] = {}
        reference_property = None
        for factor in document.get("flowProperties", []):
            prop = _ref_id(factor, "flowProperty")
            if prop is None:
                continue
            factors[prop] = float(factor.get("conversionFactor", 1.0))
            if _flag(factor, "referenceFlowProperty", "isRefFlowProperty"):
                reference_property = prop
        if reference_property is None:
            raise self._fail(member, dataset, "flowProperties", "no reference flow property")
        group = self.units.property_group.get(reference_property)
        if group is None or group not in self.units.group_reference:
            raise self._fail(
                member, dataset, "flowProperties",
                f"flow property {reference_property} or its unit group is not in the package",
            )  # fmt: skip
        cas = normalise_cas(document.get("cas"))
        if document.get("cas") and cas is None:
            self.inventory.warn(
                self.package.name, dataset, "cas",
                f"{document.get('cas')!r} is not a CAS number; the flow is matched by name",
            )  # fmt: skip
        location = _ref_id(document, "location")
        self.inventory.flows[document["@id"]] = Flow(
            id=document["@id"],
            name=str(document.get("name", "")).strip(),
            kind=kind,
            unit=self.units.group_reference[group],
            category=self._category(document),
            cas=cas,
            location=self.locations.get(location) if location else None,
        )
        self.flow_factors[document["@id"]] = factors
        self.flow_reference_property[document["@id"]] = reference_property

    def _amount(self, member: str, dataset: str, where: str, raw: dict[str, Any]) -> float:
        """The exchange's amount in its flow's reference unit."""
        flow_id = _ref_id(raw, "flow")
        amount = raw.get("amount", 0.0)
        if not isinstance(amount, int | float) or isinstance(amount, bool):
            raise self._fail(member, dataset, f"{where}.amount", f"{amount!r} is not a number")
        prop = _ref_id(raw, "flowProperty") or self.flow_reference_property[flow_id]
        factors = self.flow_factors[flow_id]
        if prop not in factors:
            raise self._fail(
                member, dataset, f"{where}.flowProperty",
                f"the flow has no property {prop}",
            )  # fmt: skip
        group = self.units.group_units.get(self.units.property_group.get(prop, ""), {})
        unit = raw.get("unit") if isinstance(raw.get("unit"), dict) else {}
        unit_factor = group.get(unit.get("@id", "")) or group.get(unit.get("name", ""))
        if unit_factor is None:
            if unit:
                raise self._fail(
                    member, dataset, f"{where}.unit",
                    f"unit {unit.get('name')!r} is not a unit of the flow property",
                )  # fmt: skip
            unit_factor = 1.0  # no unit given: the property's reference unit
        # openLCA: conversionFactor = amount of this property per unit of the reference one.
        return float(amount) * unit_factor / factors[prop]

    def read_process(self, member: str, document: dict[str, Any]) -> None:
        dataset = f"process {document.get('name')!r} ({document.get('@id')})"
        exchanges: list[Exchange] = []
        by_flow: dict[str, list[str]] = defaultdict(list)
        for number, raw in enumerate(document.get("exchanges", [])):
            where = f"exchanges[{number}]"
            flow_id = _ref_id(raw, "flow")
            if flow_id is None or flow_id not in self.inventory.flows:
                raise self._fail(
                    member, dataset, f"{where}.flow", f"flow {flow_id} is not in the package"
                )
            identifier = str(raw.get("internalId", raw.get("@id", number)))
            if any(e.id == identifier for e in exchanges):
                self.inventory.warn(
                    self.package.name, dataset, where,
                    f"exchange id {identifier} repeats; this one is numbered {number} instead",
                )  # fmt: skip
                identifier = f"#{number}"
            avoided = _flag(raw, "avoidedProduct", "isAvoidedProduct")
            exchanges.append(
                Exchange(
                    id=identifier,
                    flow_id=flow_id,
                    amount=self._amount(member, dataset, where, raw),
                    is_input=_flag(raw, "input", "isInput"),
                    is_reference=_flag(raw, "quantitativeReference", "isQuantitativeReference"),
                    provider_id=_ref_id(raw, "defaultProvider"),
                    avoided=avoided,
                )
            )
            by_flow[flow_id].append(identifier)
        factors = self._allocation(member, dataset, document, by_flow)
        method = ALLOCATION_TYPES.get(str(document.get("defaultAllocationMethod")))
        location = _ref_id(document, "location")
        self.inventory.processes[document["@id"]] = Process(
            id=document["@id"],
            name=str(document.get("name", "")).strip(),
            location=self.locations.get(location) if location else None,
            category=self._category(document),
            description=str(document.get("description") or ""),
            exchanges=tuple(exchanges),
            allocation_factors=tuple(factors),
            default_allocation=method,
            year=year_of((document.get("processDocumentation") or {}).get("validFrom")),
        )

    def _allocation(
        self, member: str, dataset: str, document: dict[str, Any], by_flow: dict[str, list[str]]
    ) -> list[AllocationFactor]:
        factors: list[AllocationFactor] = []
        missing_product = 0
        for raw in document.get("allocationFactors", []):
            method = ALLOCATION_TYPES.get(str(raw.get("allocationType")))
            product = _ref_id(raw, "product")
            if method is None:
                continue
            if product is None:
                missing_product += 1
                continue
            value = float(raw.get("value", 0.0))
            exchange = raw.get("exchange") if isinstance(raw.get("exchange"), dict) else None
            if method is AllocationMethod.CAUSAL and exchange is not None:
                if "internalId" in exchange:
                    targets = [str(exchange["internalId"])]
                else:  # 1.x names the exchange by its flow only
                    targets = by_flow.get(_ref_id(exchange, "flow") or "", [])
                for target in targets:
                    factors.append(AllocationFactor(method, product, value, target))
            else:
                factors.append(AllocationFactor(method, product, value))
        if missing_product:
            self.inventory.warn(
                self.package.name, dataset, "allocationFactors",
                f"{missing_product} allocation factor(s) name no product and were not used",
            )  # fmt: skip
        return factors


def read_jsonld(path: Path) -> Inventory:
    """Every process and flow of an openLCA JSON-LD package (zip or folder)."""
    package = Package(path)
    members = [m for m in package.members() if m.endswith(".json")]
    grouped: dict[str, list[str]] = defaultdict(list)
    for member in members:
        grouped[folder_of(member)].append(member)
    if not grouped.get("processes"):
        raise DataFileError(
            f"{package.name}: no processes/ folder with .json files; is this an openLCA "
            "JSON-LD package?"
        )
    inventory = Inventory(source_format="openLCA JSON-LD")
    reader = _Reader(package, inventory)
    for folder in FOLDERS:
        for member, data in package.iter_read(grouped.get(folder, [])):
            document = reader._load(member, data)
            if "@id" not in document:
                raise DataFileError(f"{package.name}, {member}: no @id.")
            match folder:
                case "categories":
                    reader.read_category(document)
                case "unit_groups":
                    reader.read_unit_group(member, document)
                case "flow_properties":
                    reader.read_flow_property(document)
                case "locations":
                    reader.read_location(document)
                case "flows":
                    reader.read_flow(member, document)
                case "processes":
                    reader.read_process(member, document)
    schema = "1.x" if reader.schema_1x or grouped.get("categories") else "2.x"
    inventory.source_format = f"openLCA JSON-LD {schema}"
    return inventory
