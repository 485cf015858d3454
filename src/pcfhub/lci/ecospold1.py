"""EcoSpold 1 datasets: one XML file with many datasets, or many files (zipped or in a folder).

EcoSpold 1 has no flow ids: a product is known by its name and unit, an elementary flow by its
name, category, subcategory and unit. Input and output groups say what an exchange is: output 0
is the reference product, 2 a co-product, 3 a waste to treatment, 4 an emission; input 4 is
taken from nature, 1–3 and 5 from the technosphere. ``allocation`` elements give, per
co-product, the percentage of each exchange it takes.

Tolerated, with a warning each: ``CASNumber="NaN"`` (matched by name), exchange numbers that
repeat in a dataset (renumbered in file order), datasets whose number repeats.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from xml.etree.ElementTree import Element

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
from pcfhub.lci.packages import Package
from pcfhub.lci.text import normalise_cas, year_of
from pcfhub.lci.xml import local, namespace, number, parse

ELEMENTARY_GROUP = "4"


def _flow_id(kind: FlowKind, name: str, category: str, unit: str) -> str:
    if kind is FlowKind.ELEMENTARY:
        return f"elementary|{name}|{category}|{unit}"
    return f"{kind.value}|{name}|{unit}"


class _Reader:
    def __init__(self, package: Package, inventory: Inventory) -> None:
        self.package = package
        self.inventory = inventory

    def dataset(self, member: str, element: Element, ns: str) -> None:
        process_number = element.get("number") or f"{member}#{len(self.inventory.processes)}"
        info = element.find(f"{ns}metaInformation/{ns}processInformation")
        reference = info.find(f"{ns}referenceFunction") if info is not None else None
        if reference is None:
            raise DataFileError(
                f"{self.package.name}, {member}, dataset {process_number}: no referenceFunction."
            )
        name = (reference.get("name") or "").strip()
        label = f"process {name!r} ({process_number})"
        where = f"{self.package.name}, {member}, {label}"
        location = info.find(f"{ns}geography") if info is not None else None
        process_id = process_number
        if process_id in self.inventory.processes:
            process_id = f"{process_number}@{member}#{len(self.inventory.processes)}"
            self.inventory.warn(
                self.package.name, label, "dataset.number",
                f"dataset number {process_number} repeats; this one is {process_id}",
            )  # fmt: skip
        exchanges: list[Exchange] = []
        by_number: dict[str, list[str]] = defaultdict(list)
        seen: set[str] = set()
        nan_cas = 0
        flow_data = element.find(f"{ns}flowData")
        for position, raw in enumerate(flow_data if flow_data is not None else []):
            if local(raw.tag) != "exchange":
                continue
            here = f"{where}, exchange[{position}]"
            output_group = (raw.findtext(f"{ns}outputGroup") or "").strip() or None
            input_group = (raw.findtext(f"{ns}inputGroup") or "").strip() or None
            if output_group is None and input_group is None:
                raise DataFileError(f"{here}: neither inputGroup nor outputGroup.")
            if ELEMENTARY_GROUP in (output_group, input_group):
                kind = FlowKind.ELEMENTARY
            elif output_group == "3":
                kind = FlowKind.WASTE
            else:
                kind = FlowKind.PRODUCT
            flow_name = (raw.get("name") or "").strip()
            unit = (raw.get("unit") or "").strip()
            category = "/".join(
                part for part in ((raw.get("category") or "").strip(),
                                  (raw.get("subCategory") or "").strip()) if part
            )  # fmt: skip
            flow_id = _flow_id(kind, flow_name, category, unit)
            cas_text = raw.get("CASNumber")
            cas = normalise_cas(cas_text)
            if cas_text and cas_text.strip().lower() == "nan":
                nan_cas += 1
            if flow_id not in self.inventory.flows:
                self.inventory.flows[flow_id] = Flow(
                    id=flow_id, name=flow_name, kind=kind, unit=unit, category=category, cas=cas
                )
            exchange_number = raw.get("number") or f"#{position}"
            identifier = exchange_number
            if identifier in seen:
                identifier = f"{exchange_number}#{position}"
                self.inventory.warn(
                    self.package.name, label, f"exchange[{position}].number",
                    f"exchange number {exchange_number} repeats; this one is {identifier}",
                )  # fmt: skip
            seen.add(identifier)
            by_number[exchange_number].append(identifier)
            exchanges.append(
                Exchange(
                    id=identifier,
                    flow_id=flow_id,
                    amount=number(raw.get("meanValue"), where=f"{here}, meanValue"),
                    is_input=input_group is not None,
                    is_reference=output_group == "0",
                    avoided=output_group == "1",
                    provider_location=(raw.get("location") or "").strip() or None,
                )
            )
        if nan_cas:
            self.inventory.warn(
                self.package.name, label, "exchange.CASNumber",
                f"{nan_cas} exchange(s) give CASNumber 'NaN'; their flows are matched by name",
            )  # fmt: skip
        factors = self._allocations(element, ns, label, exchanges, by_number)
        self.inventory.processes[process_id] = Process(
            id=process_id,
            name=name,
            location=(location.get("location") or "").strip() or None if location is not None
            else None,
            category="/".join(
                p for p in ((reference.get("category") or "").strip(),
                            (reference.get("subCategory") or "").strip()) if p
            ),
            description=reference.get("generalComment") or "",
            exchanges=tuple(exchanges),
            allocation_factors=tuple(factors),
            default_allocation=AllocationMethod.CAUSAL if factors else None,
            year=year_of(info.findtext(f"{ns}timePeriod/{ns}startDate") if info is not None
                         else None),
        )  # fmt: skip

    def _allocations(
        self,
        element: Element,
        ns: str,
        label: str,
        exchanges: list[Exchange],
        by_number: dict[str, list[str]],
    ) -> list[AllocationFactor]:
        """Per co-product, the fraction (percent) of each listed exchange it takes."""
        flows = {e.id: e.flow_id for e in exchanges}
        factors: list[AllocationFactor] = []
        for position, allocation in enumerate(element.iter(f"{ns}allocation")):
            product = by_number.get(allocation.get("referenceToCoProduct") or "", [])
            if not product:
                self.inventory.warn(
                    self.package.name, label, f"allocation[{position}].referenceToCoProduct",
                    f"{allocation.get('referenceToCoProduct')!r} is no exchange of the dataset; "
                    "the allocation was not used",
                )  # fmt: skip
                continue
            fraction = number(
                allocation.get("fraction"),
                where=f"{self.package.name}, {label}, allocation[{position}].fraction",
            )
            for reference in allocation.iter(f"{ns}referenceToInputOutput"):
                for target in by_number.get((reference.text or "").strip(), []):
                    factors.append(
                        AllocationFactor(
                            AllocationMethod.CAUSAL, flows[product[0]], fraction / 100.0, target
                        )
                    )
        return factors


def read_ecospold1(path: Path) -> Inventory:
    """Every dataset of the EcoSpold 1 XML files in a zip, a folder, or one file."""
    package = Package(path)
    members = [
        m for m in package.members()
        if m.lower().endswith(".xml") and not m.lower().endswith("categories.xml")
    ]  # fmt: skip
    if not members:
        raise DataFileError(f"{package.name}: no EcoSpold 1 .xml files.")
    inventory = Inventory(source_format="EcoSpold 1")
    reader = _Reader(package, inventory)
    for member, data in package.iter_read(members):
        root = parse(data, where=f"{package.name}, {member}")
        ns = namespace(root)
        if "EcoSpold01" not in ns:
            raise DataFileError(
                f"{package.name}, {member}: the root is {root.tag!r}, not an EcoSpold 1 document."
            )
        for element in root.findall(f"{ns}dataset"):
            reader.dataset(member, element, ns)
    if not inventory.processes:
        raise DataFileError(f"{package.name}: the EcoSpold 1 files hold no dataset.")
    return inventory
