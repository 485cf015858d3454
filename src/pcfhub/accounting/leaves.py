"""The leaves of an inventory: the exchanges that bring emissions (a direct emission, an
activity, a transport, electricity in either variant, a supplier PCF), each written into the
matrices with the leaf record that lets results attribute it."""

from __future__ import annotations

from typing import Literal

from pcfhub.accounting.columns import (
    GAS_ORIGIN,
    Builder,
    Leaf,
    convert,
    factor_column,
    gas_label,
    rating_of,
    resolved,
    sigma_of,
)
from pcfhub.accounting.model import (
    ActivityExchange,
    DataType,
    ElectricityExchange,
    EmissionExchange,
    FactorRef,
    Origin,
    Process,
    SupplierExchange,
    TransportExchange,
)
from pcfhub.errors import InvalidInputError
from pcfhub.factors import gwp
from pcfhub.factors.model import Gas


def add_leaf(
    builder: Builder,
    process: Process,
    prefix: str,
    k: int,
    exchange: EmissionExchange
    | ActivityExchange
    | TransportExchange
    | ElectricityExchange
    | SupplierExchange,
    column: int,
    share: float,
    spot: str,
) -> None:
    sigma = sigma_of(exchange.pedigree, exchange.gsd, spot)
    own_rating = rating_of(exchange.pedigree)
    primary = 1.0 if exchange.data_type == DataType.PRIMARY else 0.0
    label = exchange.name

    def leaf(
        kind: str,
        text: str,
        matrix: Literal["technosphere", "biosphere"],
        rating: float | None,
        primary_share: float = primary,
    ) -> None:
        entries = builder.a if matrix == "technosphere" else builder.b
        builder.leaves.append(
            Leaf(
                process=f"{prefix}{process.id}",
                exchange=k,
                kind=kind,
                label=label or text,
                stage=process.stage.value,
                data_type=exchange.data_type,
                rating=own_rating if own_rating is not None else rating,
                primary_share=primary_share,
                matrix=matrix,
                entry=len(entries) - 1,
            )
        )

    def from_factor(ref: FactorRef, amount: float, unit: str, kind: str) -> None:
        factor = resolved(builder, ref, spot)
        target = factor_column(builder, factor)
        converted = amount * convert(unit, factor.data.unit, spot)
        builder.a.append((target, column, -converted * share, sigma))
        leaf(kind, f"{factor.data.name_en}", "technosphere", rating_of(factor.data.pedigree))

    if isinstance(exchange, EmissionExchange):
        origin = (exchange.origin or GAS_ORIGIN.get(exchange.gas, Origin.FOSSIL)).value
        removal = exchange.gas == Gas.CO2_BIOGENIC_REMOVAL
        value = gwp.gwp100(builder.gwp_set)[exchange.gas]
        row = builder.flow(
            f"{exchange.gas.value}:{origin}",
            f"{gas_label(exchange.gas)} ({origin.replace('_', ' ')})",
            origin,
            -value if removal else value,
            removal,
        )
        kilograms = exchange.amount * convert(exchange.unit, "kg", spot)
        builder.b.append((row, column, kilograms * share, sigma))
        leaf("emission", gas_label(exchange.gas), "biosphere", None)
    elif isinstance(exchange, ActivityExchange):
        from_factor(exchange.factor, exchange.amount, exchange.unit, "activity")
    elif isinstance(exchange, TransportExchange):
        tonnes = exchange.mass.amount * convert(exchange.mass.unit, "t", f"{spot}.mass")
        km = exchange.distance.amount * convert(exchange.distance.unit, "km", f"{spot}.distance")
        from_factor(exchange.factor, tonnes * km, "t*km", "transport")
    elif isinstance(exchange, ElectricityExchange):
        _add_electricity(builder, exchange, spot, from_factor)
    else:
        _add_supplier(builder, exchange, column, share, sigma, spot)
        footprint = exchange.footprint
        supplier_primary = footprint.primary_data_share
        leaf(
            "supplier",
            f"{exchange.supplier}",
            "technosphere",
            footprint.data_quality_rating,
            supplier_primary if supplier_primary is not None else primary,
        )


def _add_electricity(
    builder: Builder, exchange: ElectricityExchange, spot: str, from_factor
) -> None:  # type: ignore[no-untyped-def]
    kwh = exchange.amount * convert(exchange.unit, "kWh", spot)
    covered = sum(
        i.amount * convert(i.unit, "kWh", f"{spot}.instruments") for i in exchange.instruments
    )
    if covered > kwh * (1 + 1e-9):
        raise InvalidInputError(
            f"{spot}.instruments: they cover {covered:g} kWh, more than the {kwh:g} kWh used."
        )
    if builder.variant == "location":
        from_factor(exchange.grid, kwh, "kWh", "electricity")
        return
    for instrument in exchange.instruments:
        from_factor(
            instrument.factor,
            instrument.amount,
            instrument.unit,
            f"electricity:{instrument.type.value}",
        )
    rest = kwh - covered
    if rest > 0:
        from_factor(exchange.residual or exchange.grid, rest, "kWh", "electricity:remainder")


def _add_supplier(
    builder: Builder,
    exchange: SupplierExchange,
    column: int,
    share: float,
    sigma: float,
    spot: str,
) -> None:
    footprint = exchange.footprint
    supplier = builder.column(
        f"supplier:{exchange.supplier}:{len(builder.columns)}",
        f"{exchange.supplier} (supplier PCF)",
        footprint.per_unit,
        "",
    )
    parts = {
        "fossil": footprint.fossil or 0.0,
        "biogenic": footprint.biogenic_emission or 0.0,
        "land_use_change": footprint.land_use_change or 0.0,
    }
    rest = footprint.total - sum(parts.values())
    if rest < -1e-9 * max(abs(footprint.total), 1.0):
        raise InvalidInputError(
            f"{spot}.footprint: fossil, biogenic and land-use-change parts add up to more than "
            f"the total {footprint.total:g}."
        )
    for origin, value in parts.items():
        if value:
            row = builder.flow(
                f"co2e:{origin}", f"CO2e ({origin.replace('_', ' ')})", origin, 1.0, False
            )
            builder.b.append((row, supplier, value, 0.0))
    if abs(rest) > 1e-12:
        row = builder.flow("co2e", "CO2e (gases not stated)", None, 1.0, False)
        builder.b.append((row, supplier, rest, 0.0))
    if footprint.biogenic_removal:
        row = builder.flow(
            Gas.CO2_BIOGENIC_REMOVAL.value,
            gas_label(Gas.CO2_BIOGENIC_REMOVAL),
            Origin.BIOGENIC.value,
            -1.0,
            True,
        )
        builder.b.append((row, supplier, footprint.biogenic_removal, 0.0))
    amount = exchange.amount * convert(exchange.unit, footprint.per_unit, spot)
    builder.a.append((supplier, column, -amount * share, sigma))
