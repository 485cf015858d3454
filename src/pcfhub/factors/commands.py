"""`pcfhub factors …`: load the shipped reference data, import drafts, export, show, search,
apply a factor to an activity, and read a contributor's usage statement."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from pcfhub.config import get_settings
from pcfhub.errors import InvalidInputError, NotFoundError, PcfhubError
from pcfhub.factors import queries, reference, service, usage
from pcfhub.factors.formats import read_factors, write_factors
from pcfhub.factors.model import Boundary, FactorData, FactorStatus, Redistribution
from pcfhub.factors.search import FactorQuery, ListedStatus
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.factors.use import Activity, apply_factor
from pcfhub.platform.context import Platform
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.pages import MAX_PAGE
from pcfhub.platform.service import organisation_by_slug

factors = typer.Typer(help="The emission-factor database (因子数据库).", no_args_is_help=True)
console = Console()


def _platform_reader() -> Principal:
    """The platform itself reading: published, openly licensed factors."""
    return Principal(
        organisation_id=uuid.UUID(int=0),
        organisation_kind=OrganisationKind.PLATFORM_OPERATOR,
        role=Role.VIEWER,
    )


def _fail(error: PcfhubError) -> typer.Exit:
    console.print(f"[red]{error.title}:[/red] {error}")
    return typer.Exit(code=2)


@factors.command("import-reference")
def import_reference() -> None:
    """Publish the reference factors shipped with pcfhub (IPCC, MEE/NBS…); safe to repeat."""
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work() as uow:
            reports = reference.import_shipped_reference(uow)
            uow.commit()
    except PcfhubError as error:
        raise _fail(error) from error
    for report in reports:
        console.print(
            f"{report.file}: {report.published} published, {report.unchanged} unchanged, "
            f"{report.superseded} superseded"
        )


@factors.command("import")
def import_drafts(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="CSV, xlsx or JSON in the template.")
    ],
    organisation: Annotated[str, typer.Option(help="Slug of the contributing organisation.")],
) -> None:
    """Import a file of factors as drafts of an organisation; all rows or none."""
    platform = Platform.from_settings(get_settings())
    try:
        records = read_factors(file)  # the whole file is checked before anything is written
        with platform.unit_of_work() as uow:
            org = organisation_by_slug(uow.session, organisation)
            principal = Principal(
                organisation_id=org.id,
                organisation_kind=OrganisationKind(org.kind),
                role=Role.EDITOR,
            )
            for data in records:
                service.create_draft(uow, principal=principal, data=data)
            uow.commit()
    except PcfhubError as error:
        raise _fail(error) from error
    console.print(f"{len(records)} draft(s) created for {organisation} from {file.name}.")


@factors.command("export")
def export(
    file: Annotated[
        Path, typer.Argument(dir_okay=False, help="File to write: .csv, .xlsx or .json.")
    ],
    status: Annotated[FactorStatus, typer.Option(help="Which versions.")] = FactorStatus.PUBLISHED,
) -> None:
    """Export factor versions of one status in the template (lossless; an operator's tool:
    every value, proprietary ones too — the API's export enforces licences)."""
    platform = Platform.from_settings(get_settings())
    with platform.unit_of_work(read_only=True) as uow:
        rows = uow.session.scalars(
            select(FactorVersionRow)
            .join(FactorLineageRow)
            .where(FactorVersionRow.status == status.value)
            .order_by(FactorLineageRow.lineage_key, FactorVersionRow.version)
        )
        records = [FactorData.model_validate(row.data) for row in rows]
    try:
        write_factors(records, file)
    except PcfhubError as error:
        raise _fail(error) from error
    console.print(f"{len(records)} {status.value} factor version(s) written to {file}.")


@factors.command("show")
def show(lineage_key: Annotated[str, typer.Argument(help="The factor's lineage key.")]) -> None:
    """Every version of one factor, with its value, status and source."""
    platform = Platform.from_settings(get_settings())
    with platform.unit_of_work(read_only=True) as uow:
        lineage = uow.session.scalar(
            select(FactorLineageRow).where(FactorLineageRow.lineage_key == lineage_key)
        )
        if lineage is None:
            raise _fail(NotFoundError(f"No factor with lineage key {lineage_key!r}."))
        for row in lineage.versions:
            data = FactorData.model_validate(row.data)
            console.print(
                f"v{row.version} [{row.status}] {data.name_zh} / {data.name_en}: "
                f"{data.value:g} kg CO2e/{data.unit}, {data.geography} {data.reference_year}",
                highlight=False,
                markup=False,
            )
            source = data.source
            console.print(
                f"    source: {source.publisher}, {source.document}"
                + (f", {source.table}" if source.table else "")
                + f" ({source.year}); {source.traceability}",
                highlight=False,
                markup=False,
            )


WITHHELD_VALUE = "withheld (licence needed)"


def _position(offset: int, shown: int, count: int) -> str:
    """Where the page lies among the matches: "results 21–40 of 123"."""
    if shown:
        return f"results {offset + 1}–{offset + shown} of {count}"
    if count:
        return f"no results from {offset + 1}: {count} found (lower --offset)"
    return "0 found"


def _validation_lines(error: ValidationError) -> str:
    """One line per bad option, named as on the command line."""
    return "\n".join(
        f"--{'.'.join(str(part) for part in e['loc']) or 'options'}: {e['msg']}"
        for e in error.errors()
    )


@factors.command("search")
def search(
    words: Annotated[str, typer.Argument(help="Words in Chinese or English.")] = "",
    geography: Annotated[
        str | None, typer.Option(help="e.g. CN-CQ (falls back to CN-GRID-SW, CN, GLO).")
    ] = None,
    year: Annotated[int | None, typer.Option(help="Reference year.")] = None,
    unit: Annotated[
        str | None, typer.Option(help="A unit of the dimension wanted, e.g. kWh.")
    ] = None,
    boundary: Annotated[Boundary | None, typer.Option(help="Life-cycle boundary.")] = None,
    publisher: Annotated[
        str | None, typer.Option(help="Part of the source publisher's name, e.g. IPCC.")
    ] = None,
    redistribution: Annotated[
        Redistribution | None,
        typer.Option(help="Licence: whether the values may be passed on (none: proprietary)."),
    ] = None,
    status: Annotated[
        ListedStatus,
        typer.Option(help="published (current), superseded (by a newer version) or withdrawn."),
    ] = ListedStatus.PUBLISHED,
    offset: Annotated[int, typer.Option(min=0, help="Matches to skip (paging).")] = 0,
    limit: Annotated[int, typer.Option(min=1, max=MAX_PAGE)] = 20,
) -> None:
    """Search the listed factors (reference data and published contributions): nearest
    geography first, then the best fit for the words, then the newest. Proprietary factors
    show their metadata, not their values."""
    platform = Platform.from_settings(get_settings())
    try:
        query = FactorQuery(
            q=words or None, geography=geography, year=year, unit=unit, boundary=boundary,
            publisher=publisher, redistribution=redistribution,
            status=FactorStatus(status.value), offset=offset, limit=limit,
        )  # fmt: skip
    except ValidationError as error:
        raise _fail(InvalidInputError(_validation_lines(error))) from error
    reader = _platform_reader()
    try:
        with platform.unit_of_work(read_only=True) as uow:
            page = queries.search_factors(uow, principal=reader, query=query)
    except PcfhubError as error:
        raise _fail(error) from error
    console.print(_position(offset, len(page.data), page.count), highlight=False)
    for version in page.data:
        data = version.data
        # A proprietary factor without a licence comes as metadata: no value, gases, uncertainty.
        value = f"{data.value:g}" if isinstance(data, FactorData) else WITHHELD_VALUE
        console.print(
            f"  {value} kg CO2e/{data.unit}  {data.geography} {data.reference_year}  "
            f"{data.name_zh} / {data.name_en}  [{version.lineage_key} v{version.version}]",
            highlight=False,
            markup=False,
        )


@factors.command("apply")
def apply(
    lineage_key: Annotated[str, typer.Argument(help="The factor's lineage key.")],
    amount: Annotated[float, typer.Argument(help="The activity amount.")],
    unit: Annotated[str, typer.Argument(help="Its unit: any of the factor's dimension.")],
) -> None:
    """kg CO2e of an activity under a factor's published version (units convert)."""
    platform = Platform.from_settings(get_settings())
    with platform.unit_of_work(read_only=True) as uow:
        row = uow.session.scalar(
            select(FactorVersionRow)
            .join(FactorLineageRow)
            .where(
                FactorLineageRow.lineage_key == lineage_key,
                FactorVersionRow.status == FactorStatus.PUBLISHED.value,
            )
        )
        if row is None:
            raise _fail(NotFoundError(f"No published factor with lineage key {lineage_key!r}."))
        data = FactorData.model_validate(row.data)
        version = row.version
    try:
        applied = apply_factor(data, Activity(amount=amount, unit=unit))
    except PcfhubError as error:
        raise _fail(error) from error
    console.print(
        f"{applied.co2e_kg:.6g} kg CO2e  = {amount:g} {unit} → {applied.amount:.6g} {data.unit} "
        f"× {data.value:g} kg CO2e/{data.unit} ({lineage_key} v{version}, {data.gwp_set})",
        highlight=False,
        markup=False,
    )


@factors.command("usage")
def usage_statement(
    organisation: Annotated[str, typer.Option(help="Slug of the contributing organisation.")],
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD.")],
) -> None:
    """A contributor's usage statement: which versions published results used, how often,
    by how many organisations."""
    platform = Platform.from_settings(get_settings())
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as error:
        raise _fail(InvalidInputError(f"start/end: {error}")) from error
    try:
        with platform.unit_of_work(read_only=True) as uow:
            org = organisation_by_slug(uow.session, organisation)
            operator = Principal(
                organisation_id=uuid.UUID(int=0),
                organisation_kind=OrganisationKind.PLATFORM_OPERATOR,
                role=Role.ADMIN,
            )
            statement = usage.usage_statement(
                uow, principal=operator, start=first, end=last, contributor_id=org.id
            )
    except PcfhubError as error:
        raise _fail(error) from error
    table = Table(title=f"{organisation}: factor usage {first} – {last}")
    for heading in ("factor", "version", "uses", "organisations", "own uses"):
        table.add_column(heading, justify="left" if heading == "factor" else "right")
    for line in statement.lines:
        table.add_row(
            line.lineage_key, str(line.version), str(line.uses), str(line.organisations),
            str(line.own_uses),
        )  # fmt: skip
    console.print(table)
    console.print(
        f"{statement.uses} use(s) by {statement.organisations} organisation(s).", highlight=False
    )
