"""EcoSpold 2 activity datasets (.spold files), zipped or in a folder.

Intermediate exchanges are products (output group 3, material for treatment, makes a flow a
waste); elementary exchanges are nature's flows, in their compartment when the file gives one.
An exchange's ``activityLinkId`` names its provider. Exchange ids that repeat in a dataset are
renumbered, with a warning.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from xml.etree.ElementTree import Element

from pcfhub.errors import DataFileError
from pcfhub.lci.model import Exchange, Flow, FlowKind, Inventory, Process
from pcfhub.lci.packages import Package
from pcfhub.lci.text import normalise_cas, year_of
from pcfhub.lci.units import lci_conversion
from pcfhub.lci.xml import local, namespace, number, parse
from pcfhub.units import UnitError


class _Reader:
    def __init__(self, package: Package, inventory: Inventory) -> None:
        self.package = package
        self.inventory = inventory
        self.missing_compartment = 0

    def flow(self, exchange: Element, ns: str, kind: FlowKind, where: str) -> tuple[str, float]:
        """The exchange's flow id (registered on first sight) and the factor that brings its
        amounts to the flow's unit."""
        key = "intermediateExchangeId" if kind is not FlowKind.ELEMENTARY else (
            "elementaryExchangeId"
        )  # fmt: skip
        flow_id = exchange.get(key)
        if not flow_id:
            raise DataFileError(f"{where}: no {key}.")
        unit = (exchange.findtext(f"{ns}unitName") or "").strip()
        known = self.inventory.flows.get(flow_id)
        if known is None:
            category = ""
            compartment = exchange.find(f"{ns}compartment")
            if compartment is not None:
                category = "/".join(
                    (compartment.findtext(f"{ns}{part}") or "").strip()
                    for part in ("compartment", "subcompartment")
                ).strip("/")
            elif kind is FlowKind.ELEMENTARY:
                self.missing_compartment += 1
            self.inventory.flows[flow_id] = Flow(
                id=flow_id,
                name=(exchange.findtext(f"{ns}name") or "").strip(),
                kind=kind,
                unit=unit,
                category=category,
                cas=normalise_cas(exchange.get("casNumber")),
            )
            return flow_id, 1.0
        if kind is FlowKind.WASTE and known.kind is not FlowKind.WASTE:
            self.inventory.flows[flow_id] = replace(known, kind=FlowKind.WASTE)
        if known.unit == unit:
            return flow_id, 1.0
        try:
            return flow_id, lci_conversion(unit, known.unit)
        except UnitError as error:
            raise DataFileError(f"{where}, unitName: {error}") from None

    def dataset(self, member: str, root: Element) -> None:
        ns = namespace(root)
        dataset = root.find(f"{ns}activityDataset")
        if dataset is None:
            dataset = root.find(f"{ns}childActivityDataset")
        if dataset is None:
            raise DataFileError(f"{self.package.name}, {member}: no activityDataset.")
        activity = dataset.find(f"{ns}activityDescription/{ns}activity")
        if activity is None or not activity.get("id"):
            raise DataFileError(f"{self.package.name}, {member}: no activity id.")
        process_id = activity.get("id", "")
        name = (activity.findtext(f"{ns}activityName") or "").strip()
        label = f"{self.package.name}, {member}, process {name!r} ({process_id})"
        location = dataset.findtext(f"{ns}activityDescription/{ns}geography/{ns}shortname")
        period = dataset.find(f"{ns}activityDescription/{ns}timePeriod")
        exchanges: list[Exchange] = []
        seen: set[str] = set()
        flow_data = dataset.find(f"{ns}flowData")
        for number_, element in enumerate(flow_data if flow_data is not None else []):
            tag = local(element.tag)
            if tag not in ("intermediateExchange", "elementaryExchange"):
                continue
            where = f"{label}, {tag}[{number_}]"
            output_group = element.findtext(f"{ns}outputGroup")
            input_group = element.findtext(f"{ns}inputGroup")
            if output_group is None and input_group is None:
                raise DataFileError(f"{where}: neither inputGroup nor outputGroup.")
            if tag == "elementaryExchange":
                kind = FlowKind.ELEMENTARY
            else:
                kind = FlowKind.WASTE if (output_group or "").strip() == "3" else FlowKind.PRODUCT
            flow_id, factor = self.flow(element, ns, kind, where)
            identifier = element.get("id") or f"#{number_}"
            if identifier in seen:
                self.inventory.warn(
                    self.package.name, f"process {name!r} ({process_id})", f"{tag}[{number_}]",
                    f"exchange id {identifier} repeats; this one is numbered #{number_}",
                )  # fmt: skip
                identifier = f"#{number_}"
            seen.add(identifier)
            exchanges.append(
                Exchange(
                    id=identifier,
                    flow_id=flow_id,
                    amount=number(element.get("amount"), where=f"{where}, amount") * factor,
                    is_input=input_group is not None,
                    is_reference=(output_group or "").strip() == "0",
                    provider_id=element.get("activityLinkId"),
                )
            )
        if process_id in self.inventory.processes:
            raise DataFileError(f"{label}: a second dataset with this activity id.")
        self.inventory.processes[process_id] = Process(
            id=process_id,
            name=name,
            location=location.strip() if location else None,
            exchanges=tuple(exchanges),
            year=year_of(period.get("startDate") if period is not None else None),
        )


def read_ecospold2(path: Path) -> Inventory:
    """Every activity dataset of the .spold files in a zip or a folder (or one .spold file)."""
    package = Package(path)
    members = [m for m in package.members() if m.lower().endswith(".spold")]
    if not members:
        raise DataFileError(f"{package.name}: no .spold files; is this EcoSpold 2?")
    inventory = Inventory(source_format="EcoSpold 2")
    reader = _Reader(package, inventory)
    for member, data in package.iter_read(members):
        reader.dataset(member, parse(data, where=f"{package.name}, {member}"))
    if reader.missing_compartment:
        inventory.warn(
            package.name, "elementary flows", "compartment",
            f"{reader.missing_compartment} elementary flow(s) give no compartment; a greenhouse "
            "gas among them counts as emitted to air (an output) or taken from air (an input)",
        )  # fmt: skip
    return inventory
