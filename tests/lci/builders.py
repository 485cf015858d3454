"""Small openLCA JSON-LD packages, in the 1.x and the 2.x schema, written the way openLCA does.

The system (illustrative amounts): electricity (1 kWh, 0.5 kg fossil CO2 and 0.001 kg fossil
CH4 per kWh); steel (1 kg, with 0.25 kg of slag as a co-product) using 2 kWh of electricity and
emitting 1.8 kg of fossil CO2; physical allocation factors steel 0.8, slag 0.2.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

MASS, ENERGY = "93a60a56-a3c8-11da-a746-0800200b9a66", "f6811440-ee37-11de-8a39-0800200c9a66"
MASS_UNITS, ENERGY_UNITS = (
    "93a60a57-a3c8-11da-a746-0800200c9a66",
    "93a60a57-a3c8-12da-a746-0800200c9a66",
)
CO2, CH4 = "flow-co2-fossil", "flow-ch4-fossil"
ELECTRICITY, STEEL, SLAG = "flow-electricity", "flow-steel", "flow-slag"
P_ELECTRICITY, P_STEEL = "process-electricity", "process-steel"
AIR = "category-air"


def _ref(kind: str, identifier: str, name: str = "") -> dict[str, Any]:
    return {"@type": kind, "@id": identifier, "name": name}


class PackageBuilder:
    """Builds the documents of a package; ``v1`` chooses the 1.x spelling."""

    def __init__(self, *, v1: bool = True) -> None:
        self.v1 = v1
        self.documents: dict[str, dict[str, Any]] = {}
        self._unit_groups()
        if v1:
            self.add("categories", {"@type": "Category", "@id": AIR, "name": "air"})
            self.add("categories", {
                "@type": "Category", "@id": "category-air-unspecified", "name": "unspecified",
                "category": _ref("Category", AIR, "air"),
            })  # fmt: skip
        self.flow(CO2, "Carbon dioxide, fossil", "ELEMENTARY_FLOW", MASS, "air/unspecified")
        self.flow(CH4, "Methane, fossil", "ELEMENTARY_FLOW", MASS, "air/unspecified")
        self.flow(ELECTRICITY, "Electricity, at grid", "PRODUCT_FLOW", ENERGY, "Utilities")
        self.flow(STEEL, "Steel, at plant", "PRODUCT_FLOW", MASS, "Metals")
        self.flow(SLAG, "Slag, at plant", "PRODUCT_FLOW", MASS, "Metals")

    def add(self, folder: str, document: dict[str, Any]) -> dict[str, Any]:
        self.documents[f"{folder}/{document['@id']}.json"] = document
        return document

    def _flag(self, v1_name: str, v2_name: str, value: bool) -> dict[str, bool]:
        return {v1_name if self.v1 else v2_name: value}

    def _unit_groups(self) -> None:
        for group, prop, prop_name, units in (
            (MASS_UNITS, MASS, "Mass", [("kg", 1.0, True), ("t", 1000.0, False)]),
            (ENERGY_UNITS, ENERGY, "Energy", [("MJ", 1.0, True), ("kWh", 3.6, False)]),
        ):
            self.add("unit_groups", {
                "@type": "UnitGroup", "@id": group, "name": f"Units of {prop_name.lower()}",
                "units": [
                    {"@type": "Unit", "@id": f"{group}-{name}", "name": name,
                     "conversionFactor": factor, **self._flag("referenceUnit", "isRefUnit", ref)}
                    for name, factor, ref in units
                ],
            })  # fmt: skip
            self.add("flow_properties", {
                "@type": "FlowProperty", "@id": prop, "name": prop_name,
                "unitGroup": _ref("UnitGroup", group),
            })  # fmt: skip

    def category(self, path: str) -> Any:
        if not self.v1:
            return path
        if path == "air/unspecified":
            return _ref("Category", "category-air-unspecified", "unspecified")
        identifier = f"category-{path.lower()}"
        self.add("categories", {"@type": "Category", "@id": identifier, "name": path})
        return _ref("Category", identifier, path)

    def flow(self, identifier: str, name: str, flow_type: str, prop: str, category: str) -> None:
        self.add("flows", {
            "@type": "Flow", "@id": identifier, "name": name, "flowType": flow_type,
            "category": self.category(category),
            "flowProperties": [{
                "@type": "FlowPropertyFactor", "flowProperty": _ref("FlowProperty", prop),
                "conversionFactor": 1.0,
                **self._flag("referenceFlowProperty", "isRefFlowProperty", True),
            }],
        })  # fmt: skip

    def exchange(
        self, number: int, flow: str, amount: float, unit: str, *, is_input: bool = False,
        reference: bool = False, **extra: Any,
    ) -> dict[str, Any]:  # fmt: skip
        group, prop = (ENERGY_UNITS, ENERGY) if unit in ("MJ", "kWh") else (MASS_UNITS, MASS)
        exchange = {
            "@type": "Exchange", "flow": _ref("Flow", flow), "amount": amount,
            "unit": _ref("Unit", f"{group}-{unit}", unit),
            "flowProperty": _ref("FlowProperty", prop),
            **self._flag("input", "isInput", is_input),
            **self._flag("quantitativeReference", "isQuantitativeReference", reference),
            **extra,
        }  # fmt: skip
        exchange.update({"@id": f"exchange-{number}"} if self.v1 else {"internalId": number})
        return exchange

    def process(self, identifier: str, name: str, exchanges: list[dict[str, Any]], **extra: Any):
        return self.add("processes", {
            "@type": "Process", "@id": identifier, "name": name, "processType": "UNIT_PROCESS",
            "category": self.category("Manufacturing"), "exchanges": exchanges, **extra,
        })  # fmt: skip

    def standard(self) -> PackageBuilder:
        """The electricity and steel processes of the module's docstring."""
        self.process(P_ELECTRICITY, "Electricity, at grid", [
            self.exchange(1, ELECTRICITY, 1.0, "kWh", reference=True),
            self.exchange(2, CO2, 0.5, "kg"),
            self.exchange(3, CH4, 0.001, "kg"),
        ])  # fmt: skip
        self.process(P_STEEL, "Steel, at plant", [
            self.exchange(1, STEEL, 1.0, "kg", reference=True),
            self.exchange(2, SLAG, 0.25, "kg"),
            self.exchange(3, ELECTRICITY, 2.0, "kWh", is_input=True),
            self.exchange(4, CO2, 1.8, "kg"),
        ], allocationFactors=[
            {"@type": "AllocationFactor", "allocationType": "PHYSICAL_ALLOCATION",
             "product": _ref("Flow", STEEL), "value": 0.8},
            {"@type": "AllocationFactor", "allocationType": "PHYSICAL_ALLOCATION",
             "product": _ref("Flow", SLAG), "value": 0.2},
        ])  # fmt: skip
        return self

    def write_folder(self, folder: Path) -> Path:
        for name, document in self.documents.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(document), encoding="utf-8")
        return folder

    def write_zip(self, path: Path) -> Path:
        with zipfile.ZipFile(path, "w") as archive:
            for name, document in self.documents.items():
                archive.writestr(name, json.dumps(document))
        return path
