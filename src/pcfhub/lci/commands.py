"""`pcfhub lci …`: import an LCI database release (a job with a progress bar), list releases,
show an import's report, and list a release's products with their footprints."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from pcfhub.config import get_settings
from pcfhub.errors import NotFoundError, PcfhubError
from pcfhub.lci import service
from pcfhub.lci.model import AllocationMethod
from pcfhub.lci.service import ImportOptions, LciFormat
from pcfhub.platform import jobs
from pcfhub.platform.context import Platform
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.store import OrganisationRow

lci = typer.Typer(help="Life cycle inventory databases (openLCA JSON-LD, EcoSpold).",
                  no_args_is_help=True)  # fmt: skip
console = Console()


def _fail(error: PcfhubError) -> typer.Exit:
    console.print(f"[red]{error.title}:[/red] {error}", highlight=False)
    return typer.Exit(code=2)


def _operator(platform: Platform, slug: str | None) -> Principal:
    """The command line acts as an admin of the platform operator (by slug, or the only one)."""
    with platform.unit_of_work(read_only=True) as uow:
        stmt = select(OrganisationRow).where(
            OrganisationRow.kind == OrganisationKind.PLATFORM_OPERATOR.value
        )
        if slug:
            stmt = stmt.where(OrganisationRow.slug == slug)
        rows = [row.id for row in uow.session.scalars(stmt)]
    if len(rows) != 1:
        raise _fail(NotFoundError(
            "No platform operator organisation" + (f" {slug!r}" if slug else "")
            + " to import as; create one (pcfhub demo) or name it with --operator."
        ))  # fmt: skip
    return Principal(
        organisation_id=rows[0],
        organisation_kind=OrganisationKind.PLATFORM_OPERATOR,
        role=Role.ADMIN,
    )


@lci.command("import")
def import_release(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True, help="A zip or folder of JSON-LD, .spold or EcoSpold 1 XML files."
        ),
    ],
    database: Annotated[str, typer.Option(help="The database's name, e.g. USLCI.")],
    release: Annotated[str, typer.Option(help="This release's name, e.g. FY17.")],
    publisher: Annotated[str, typer.Option(help="Who publishes the database.")],
    licence: Annotated[str, typer.Option(help="SPDX id or the name of the data's terms.")],
    year: Annotated[int, typer.Option(help="The release's year.")],
    document: Annotated[str | None, typer.Option(help="The release's title.")] = None,
    url: Annotated[str | None, typer.Option(help="Where the release is published.")] = None,
    attribution: Annotated[str | None, typer.Option(help="Credit to show with values.")] = None,
    redistribution: Annotated[
        str, typer.Option(help="open, attribution, share_alike or none.")
    ] = "attribution",
    data_format: Annotated[LciFormat, typer.Option("--format")] = LciFormat.AUTO,
    allocation: Annotated[
        AllocationMethod,
        typer.Option(help="For multi-output processes whose data defines no method."),
    ] = (AllocationMethod.PHYSICAL),
    gwp: Annotated[str, typer.Option(help="GWP100 set: AR6 or AR5.")] = "AR6",
    operator: Annotated[str | None, typer.Option(help="Slug of the operator organisation.")] = None,
) -> None:
    """Read, link and solve a release, and publish its footprints as factors; all or nothing."""
    platform = Platform.from_settings(get_settings())
    try:
        options = ImportOptions(
            database=database, release=release, format=data_format, allocation=allocation,
            gwp_set=gwp, publisher=publisher, document=document or f"{database} {release}",
            year=year, url=url, licence=licence, redistribution=redistribution,
            attribution=attribution,
        )  # fmt: skip
    except ValueError as error:
        raise _fail(PcfhubError(str(error))) from error
    principal = _operator(platform, operator)
    with platform.unit_of_work() as uow:
        job = jobs.create_job(
            uow,
            principal=principal,
            kind="lci.import",
            title=f"Import {database} {release} from {path.name}",
        )
        uow.commit()  # fmt: skip
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console) as bar:  # fmt: skip
        task = bar.add_task("starting", total=5)

        def work(context: jobs.JobContext) -> dict[str, Any]:
            def report(done: int, total: int, message: str) -> None:
                bar.update(task, completed=done, total=total, description=message)
                if done < total - 1:  # the last step writes; SQLite has one writer at a time
                    context.progress(done, total, message)

            with platform.unit_of_work() as uow:
                saved = service.import_release(
                    uow, principal=principal, path=path, options=options, progress=report
                )
                uow.commit()
            return {"release_id": str(saved.id), **saved.counts}

        finished = jobs.run_job(platform.unit_of_work, job.id, work)
    if finished.status != jobs.JobStatus.SUCCEEDED:
        console.print(f"[red]{finished.status}:[/red] {finished.error or finished.message}",
                      highlight=False, markup=False)  # fmt: skip
        raise typer.Exit(code=2)
    result = finished.result or {}
    console.print(
        f"{database} {release}: {result.get('processes')} processes, {result.get('products')} "
        f"products, {result.get('published')} factors published, {result.get('unchanged')} "
        f"unchanged, {result.get('warnings')} warnings. Release {result.get('release_id')}.",
        highlight=False,
    )


def platform_reader() -> Principal:
    """The platform reading its own reference data."""
    return Principal(
        organisation_id=uuid.UUID(int=0),
        organisation_kind=OrganisationKind.PLATFORM_OPERATOR,
        role=Role.VIEWER,
    )


@lci.command("list")
def list_releases() -> None:
    """The imported releases."""
    platform = Platform.from_settings(get_settings())
    with platform.unit_of_work(read_only=True) as uow:
        page = service.list_releases(uow, principal=platform_reader(), limit=200)
    table = Table("database", "release", "format", "processes", "products", "published")
    table.add_column("id", no_wrap=True, min_width=36)
    for item in page.data:
        table.add_row(item.database, item.release, item.source_format,
                      str(item.counts["processes"]), str(item.counts["products"]),
                      str(item.counts["published"]), str(item.id))  # fmt: skip
    console.print(table)


@lci.command("show")
def show(
    release_id: uuid.UUID,
    warnings: Annotated[int, typer.Option(help="How many warnings to print.")] = 20,
) -> None:
    """An import's report: counts, allocations applied, warnings, unmapped flows."""
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work(read_only=True) as uow:
            report = service.release_report(uow, principal=platform_reader(),
                                            release_id=release_id)  # fmt: skip
    except PcfhubError as error:
        raise _fail(error) from error
    console.print(
        f"{report.database} {report.release} ({report.source_format}, "
        f"{report.file_name}, sha256 {report.file_sha256[:16]}…)",
        highlight=False,
    )
    for key, value in report.counts.items():
        console.print(f"  {key}: {value}", highlight=False)
    methods: dict[str, int] = {}
    for allocation in report.allocations:
        methods[str(allocation["method"])] = methods.get(str(allocation["method"]), 0) + 1
    console.print(f"allocation: {methods or 'no multi-output processes'}", highlight=False)
    for warning in report.warnings[:warnings]:
        console.print(f"  ! {warning['dataset']}, {warning['field']}: {warning['message']}",
                      highlight=False, markup=False)  # fmt: skip
    console.print("largest elementary flows that are no greenhouse gas (share of mass):")
    for flow in report.unmapped[:10]:
        console.print(f"  {float(flow['mass_share']):7.2%}  {flow['name']} [{flow['category']}]",
                      highlight=False, markup=False)  # fmt: skip


@lci.command("products")
def products(
    release_id: uuid.UUID,
    words: Annotated[str, typer.Argument(help="Words in the process or product name.")] = "",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 20,
) -> None:
    """A release's products with their cradle-to-gate footprints, largest first."""
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work(read_only=True) as uow:
            page = service.list_products(uow, principal=platform_reader(), release_id=release_id,
                                         q=words or None, limit=limit)  # fmt: skip
    except PcfhubError as error:
        raise _fail(error) from error
    console.print(f"{page.count} found", highlight=False)
    for product in page.data:
        console.print(f"  {product.co2e:12.5g} kg CO2e/{product.unit}  {product.process_name} "
                      f"[{product.location or '-'}]", highlight=False, markup=False)  # fmt: skip
