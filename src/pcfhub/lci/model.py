"""A life cycle inventory database as read from a file: processes, flows, exchanges, warnings.

Every reader (openLCA JSON-LD, EcoSpold 2, EcoSpold 1) produces one `Inventory`; nothing here
reads files or touches the database. Amounts are in the flow's reference unit, so that a
product's output and its consumers' inputs add up in the same unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FlowKind(StrEnum):
    ELEMENTARY = "elementary"  # taken from or emitted to nature
    PRODUCT = "product"  # made by one process, used by others
    WASTE = "waste"  # made by one process, treated by others


class AllocationMethod(StrEnum):
    PHYSICAL = "physical"
    ECONOMIC = "economic"
    CAUSAL = "causal"  # per exchange: each input or emission split its own way


@dataclass(frozen=True)
class Flow:
    id: str
    name: str
    kind: FlowKind
    unit: str  # the reference unit every amount of this flow is given in
    category: str = ""  # "air/unspecified", "Utilities/Electric Power"…
    cas: str | None = None  # normalised: 124-38-9
    location: str | None = None


@dataclass(frozen=True)
class Exchange:
    """One input or output of a process, in its flow's reference unit."""

    id: str  # unique within its process
    flow_id: str
    amount: float
    is_input: bool
    is_reference: bool = False
    provider_id: str | None = None  # the process the data names as its supplier
    provider_location: str | None = None  # where the supplier is, when only that is named
    avoided: bool = False  # an avoided product: an output credited as a negative input


@dataclass(frozen=True)
class AllocationFactor:
    method: AllocationMethod
    product_id: str  # the co-product (flow id) the share belongs to
    value: float
    exchange_id: str | None = None  # causal: the exchange this share applies to


@dataclass(frozen=True)
class Process:
    id: str
    name: str
    location: str | None = None
    category: str = ""
    description: str = ""
    exchanges: tuple[Exchange, ...] = ()
    allocation_factors: tuple[AllocationFactor, ...] = ()
    default_allocation: AllocationMethod | None = None
    year: int | None = None  # the first year the data is valid for

    @property
    def reference(self) -> Exchange | None:
        return next((e for e in self.exchanges if e.is_reference), None)


@dataclass(frozen=True)
class ImportWarning:
    """A defect of the data that the import tolerated; it names where and what was done."""

    file: str
    dataset: str  # the process (or flow) name and id
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, {self.dataset}, {self.field}: {self.message}"


@dataclass
class Inventory:
    """Everything one import read, before any matrix is built."""

    source_format: str  # "openLCA JSON-LD 1.x", "EcoSpold 2"…
    processes: dict[str, Process] = field(default_factory=dict)
    flows: dict[str, Flow] = field(default_factory=dict)
    warnings: list[ImportWarning] = field(default_factory=list)

    def warn(self, file: str, dataset: str, field_name: str, message: str) -> None:
        self.warnings.append(ImportWarning(file, dataset, field_name, message))

    @property
    def exchange_count(self) -> int:
        return sum(len(p.exchanges) for p in self.processes.values())
