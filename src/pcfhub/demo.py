"""The illustrative demo product models shipped in ``pcfhub/data/demo``.

A model file lists sourced factors, flows and processes (inputs from other processes and
emissions as activity × factor). Loading converts every amount with the project's unit
registry and builds a :class:`~pcfhub.calc.ProductSystem`; the same builder feeds the CLI
demo and the tests.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from pcfhub.calc import ProductSystem
from pcfhub.calc.uncertainty import UncertaintyArrays, pedigree_sigma
from pcfhub.errors import DataFileError, PcfhubError
from pcfhub.lci.background import Background, BackgroundInput, attach
from pcfhub.lci.units import lci_conversion
from pcfhub.units import conversion_factor

# Where a model's LCI links find their release: (database, release) → its background.
BackgroundSource = Callable[[str, str], Background]

#: Basic uncertainty (σ of ln) assumed for every exchange that carries a pedigree.
BASIC_SIGMA = 0.05


@dataclass(frozen=True)
class DemoModel:
    """A loaded model: its system, the reference process, and exchange uncertainty."""

    name: str
    name_zh: str
    declared_unit: str
    illustrative: bool
    process_ids: tuple[str, ...]
    process_units: tuple[str, ...]
    reference: int
    system: ProductSystem
    technosphere_uncertainty: UncertaintyArrays
    biosphere_uncertainty: UncertaintyArrays
    gwp_source: str
    factor_sources: dict[str, str]


def demo_path(name: str = "laptop") -> Path:
    """Path of a shipped demo model."""
    return Path(str(resources.files("pcfhub") / "data" / "demo" / f"{name}.toml"))


def load_gwp(set_name: str) -> tuple[dict[str, float], str]:
    """GWP100 values of a set (AR6, AR5) and a one-line citation."""
    path = Path(str(resources.files("pcfhub") / "data" / "gwp.toml"))
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sets = data.get("sets", {})
    if set_name not in sets:
        raise DataFileError(f"{path.name}: no GWP set {set_name!r}; available: {sorted(sets)}.")
    chosen = sets[set_name]
    citation = f"{chosen['publisher']}, {chosen['document']}, {chosen['table']} ({chosen['year']})"
    return {gas: float(value) for gas, value in chosen["gwp100"].items()}, citation


def _field(record: dict[str, Any], key: str, where: str) -> Any:
    if key not in record:
        raise DataFileError(f"{where}: field {key!r} is missing.")
    return record[key]


def load_model(
    path: Path | None = None, *, background: BackgroundSource | None = None
) -> DemoModel:
    """Read a model file and build its product system (amounts converted to declared units).

    An input ``{ lci = "DATABASE/RELEASE", process = "<process id>", amount, unit }`` (with
    ``product = "<flow id>"`` for a multi-output process) links a product of an imported LCI
    release; ``background`` supplies the release (`pcfhub.lci.service.background_of`), whose
    whole matrices then join the model's.
    """
    path = path or demo_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"{path}: not valid TOML: {error}.") from error
    meta = _field(data, "meta", str(path))
    gwp, gwp_source = load_gwp(meta.get("gwp_set", "AR6"))
    flows = _field(data, "flows", str(path))
    flow_index = {flow["id"]: i for i, flow in enumerate(flows)}
    characterization = []
    for i, flow in enumerate(flows):
        gas = _field(flow, "gas", f"{path}: flows[{i}]")
        if gas not in gwp:
            raise DataFileError(f"{path}: flows[{i}].gas {gas!r} has no GWP in the chosen set.")
        characterization.append(gwp[gas])
    factors = data.get("factors", {})
    processes = _field(data, "processes", str(path))
    index = {p["id"]: i for i, p in enumerate(processes)}
    units = [str(_field(p, "unit", f"{path}: processes[{i}]")) for i, p in enumerate(processes)]

    t_rows, t_cols, t_vals, t_sigma = [], [], [], []
    b_rows, b_cols, b_vals, b_sigma = [], [], [], []
    links: list[tuple[int, dict[str, Any], str]] = []
    for j, process in enumerate(processes):
        where = f"{path}: processes[{j}] ({process.get('id')})"
        t_rows.append(j)
        t_cols.append(j)
        t_vals.append(1.0)
        t_sigma.append(0.0)
        for k, exchange in enumerate(process.get("inputs", [])):
            spot = f"{where}.inputs[{k}]"
            if "lci" in exchange:  # a product of an imported LCI release, linked below
                links.append((j, exchange, spot))
                continue
            supplier = _field(exchange, "process", spot)
            if supplier not in index:
                raise DataFileError(f"{spot}: unknown process {supplier!r}.")
            try:
                amount = float(_field(exchange, "amount", spot)) * conversion_factor(
                    _field(exchange, "unit", spot), units[index[supplier]]
                )
            except PcfhubError as error:
                raise DataFileError(f"{spot}: {error}") from error
            t_rows.append(index[supplier])
            t_cols.append(j)
            t_vals.append(-amount)
            t_sigma.append(_sigma(exchange.get("pedigree"), spot))
        for k, emission in enumerate(process.get("emissions", [])):
            spot = f"{where}.emissions[{k}]"
            flow = _field(emission, "flow", spot)
            if flow not in flow_index:
                raise DataFileError(f"{spot}: unknown flow {flow!r}.")
            factor_id = _field(emission, "factor", spot)
            if factor_id not in factors:
                raise DataFileError(f"{spot}: unknown factor {factor_id!r}.")
            factor = factors[factor_id]
            numerator, denominator = str(factor["unit"]).split("/")
            try:
                per_activity = float(factor["value"]) * conversion_factor(
                    _field(emission, "activity_unit", spot), denominator
                )
                kilograms = conversion_factor(numerator, "kgCO2e" if "CO2e" in numerator else "kg")
            except PcfhubError as error:
                raise DataFileError(f"{spot}: {error}") from error
            b_rows.append(flow_index[flow])
            b_cols.append(j)
            b_vals.append(float(_field(emission, "activity", spot)) * per_activity * kilograms)
            b_sigma.append(_sigma(emission.get("pedigree"), spot))

    system = ProductSystem.from_arrays(
        technosphere=(t_rows, t_cols, t_vals),
        biosphere=(b_rows, b_cols, b_vals),
        characterization=np.array(characterization),
        n_processes=len(processes),
        process_labels=[p["name"] for p in processes],
        flow_labels=[f["name"] for f in flows],
        flow_origins=[f.get("origin") for f in flows],
        process_groups=[p.get("stage", "unspecified") for p in processes],
    )
    process_ids = [str(p["id"]) for p in processes]
    if links:
        system, (t_vals, t_sigma), (b_vals, b_sigma), background_products = _with_background(
            system, links, background, meta.get("gwp_set", "AR6"), (t_vals, t_sigma),
            (b_vals, b_sigma),
        )  # fmt: skip
        process_ids += [identifier for identifier, _ in background_products]
        units = units + [unit for _, unit in background_products]
    reference = _field(meta, "reference_process", f"{path}: meta")
    if reference not in index:
        raise DataFileError(f"{path}: meta.reference_process {reference!r} is not a process.")
    return DemoModel(
        name=str(meta.get("name", path.stem)),
        name_zh=str(meta.get("name_zh", "")),
        declared_unit=str(meta.get("declared_unit", units[index[reference]])),
        illustrative=bool(meta.get("illustrative", False)),
        process_ids=tuple(process_ids),
        process_units=tuple(units),
        reference=index[reference],
        system=system,
        technosphere_uncertainty=UncertaintyArrays.lognormal(t_vals, t_sigma),
        biosphere_uncertainty=UncertaintyArrays.lognormal(b_vals, b_sigma),
        gwp_source=gwp_source,
        factor_sources={
            key: f"{f['publisher']}, {f['document']}, {f['table']} ({f['year']})"
            for key, f in factors.items()
        },
    )


def _with_background(
    system: ProductSystem,
    links: list[tuple[int, dict[str, Any], str]],
    source: BackgroundSource | None,
    gwp_set: str,
    technosphere: tuple[list[float], list[float]],
    biosphere: tuple[list[float], list[float]],
) -> tuple[
    ProductSystem,
    tuple[list[float], list[float]],
    tuple[list[float], list[float]],
    list[tuple[str, str]],
]:
    """The system with each linked release attached, and the (values, σ) of every entry in
    the order `attach` writes them (the background's own entries are deterministic, σ 0; a
    link keeps its pedigree), and the id and unit of every background product."""
    if source is None:
        raise DataFileError(f"{links[0][2]}: links an LCI release, but no database is open.")
    by_release: dict[str, list[tuple[int, dict[str, Any], str]]] = {}
    for link in links:
        by_release.setdefault(str(link[1]["lci"]), []).append(link)
    t_vals, t_sigma = list(technosphere[0]), list(technosphere[1])
    b_vals, b_sigma = list(biosphere[0]), list(biosphere[1])
    products: list[tuple[str, str]] = []  # (id, unit) of each background product, in order
    for name, group in by_release.items():
        database, _, release = name.partition("/")
        inputs, link_sigma = [], []
        try:
            found = source(database, release)
            for process, exchange, spot in group:
                column = found.product(
                    str(_field(exchange, "process", spot)), exchange.get("product")
                )
                amount = float(_field(exchange, "amount", spot)) * lci_conversion(
                    str(_field(exchange, "unit", spot)), found.units[column]
                )
                inputs.append(BackgroundInput(process, column, amount))
                link_sigma.append(_sigma(exchange.get("pedigree"), spot))
        except PcfhubError as error:
            raise DataFileError(f"{group[0][2]}: {error}") from error
        own = [float(v) for v in found.matrices.technosphere[2]]
        t_vals += own + [-i.amount for i in inputs]
        t_sigma += [0.0] * len(own) + link_sigma
        gases = [float(v) for v in found.matrices.gas_inventories[2]]
        b_vals += gases
        b_sigma += [0.0] * len(gases)
        system = attach(system, found, inputs, gwp_set=gwp_set)
        products += [(f"{name}:{process}", unit)
                     for (process, _), unit in zip(found.matrices.products, found.units,
                                                   strict=True)]  # fmt: skip
    return system, (t_vals, t_sigma), (b_vals, b_sigma), products


def _sigma(pedigree: list[int] | None, where: str) -> float:
    if pedigree is None:
        return 0.0
    try:
        return float(pedigree_sigma(pedigree, BASIC_SIGMA)[0])
    except PcfhubError as error:
        raise DataFileError(f"{where}.pedigree: {error}") from error
