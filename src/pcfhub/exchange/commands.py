"""`pcfhub pact …`: an organisation's published footprints, their PACT documents, fetching a
partner's footprints, and the outbox of events waiting for delivery."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from pcfhub.accounting.commands import _organisation
from pcfhub.config import get_settings
from pcfhub.exchange import outbox, requests, service
from pcfhub.exchange.store import PactConnectionRow, PactOutboxRow
from pcfhub.platform.context import Platform

pact = typer.Typer(help="PACT exchange: published footprints, partners and the outbox.")
console = Console()
Organisation = Annotated[str, typer.Option("--organisation", help="The organisation's slug.")]


@pact.command("footprints")
def footprints(organisation: Organisation) -> None:
    """The organisation's published footprints and who may read them."""
    platform = Platform.from_settings(get_settings())
    with platform.unit_of_work(read_only=True) as uow:
        found = service.list_footprints(uow, principal=_organisation(uow, organisation))
    table = Table("id", "product", "kg CO2e", "per", "status", "shared with")
    for f in found:
        pcf = f.document["pcf"]
        table.add_row(
            str(f.id),
            f.document.get("productNameCompany", ""),
            pcf["pcfExcludingBiogenicUptake"],
            f"{pcf['declaredUnitAmount']} {pcf['declaredUnitOfMeasurement']}",
            f.status,
            str(len(f.shared_with)),
        )
    console.print(table)


@pact.command("export")
def export(
    footprint_id: uuid.UUID,
    organisation: Organisation,
    version: Annotated[int, typer.Option(help="PACT version: 2 or 3.")] = 3,
    output: Annotated[Path | None, typer.Option("-o", help="File (default: stdout).")] = None,
) -> None:
    """One footprint as a PACT ProductFootprint JSON document."""
    if version not in (2, 3):
        raise typer.BadParameter("--version: 2 or 3")
    chosen: Literal[2, 3] = 3 if version == 3 else 2
    platform = Platform.from_settings(get_settings())
    with platform.unit_of_work(read_only=True) as uow:
        principal = _organisation(uow, organisation)
        service.get_footprint(uow, principal=principal, footprint_id=footprint_id)
        document = service.document_of(uow, footprint_id=footprint_id, version=chosen)
    data = service.pretty(document)
    if output is None:
        typer.echo(data.decode(), nl=False)
    else:
        output.write_bytes(data)
        console.print(f"Wrote {output} ({len(data)} bytes).")


@pact.command("pull")
def pull(connection_id: uuid.UUID, organisation: Organisation) -> None:
    """Fetch every footprint the partner shares with us (ListFootprints) and keep them."""
    platform = Platform.from_settings(get_settings())
    with platform.unit_of_work(read_only=True) as uow:
        principal = _organisation(uow, organisation)
    with console.status("Calling the partner's PACT API…"):
        ids = requests.pull(platform, principal=principal, connection_id=connection_id)
    console.print(f"{len(ids)} footprints received.")


@pact.command("outbox")
def show_outbox(
    deliver: Annotated[bool, typer.Option(help="Send what is due now, once.")] = False,
) -> None:
    """Events waiting for delivery to partners, with their attempts and last error."""
    platform = Platform.from_settings(get_settings())
    if deliver:
        with console.status("Delivering due PACT events…"):
            done = outbox.deliver_due(platform, requests.deliver)
        console.print(
            f"{done.delivered} delivered, {done.failed} to retry, {done.abandoned} abandoned."
        )
    table = Table("partner", "event", "attempts", "next attempt", "state", "last error")
    with platform.unit_of_work(read_only=True) as uow:
        rows = uow.session.execute(
            select(PactOutboxRow, PactConnectionRow.name)
            .join(PactConnectionRow, PactConnectionRow.id == PactOutboxRow.connection_id)
            .where(PactOutboxRow.delivered_at.is_(None))
            .order_by(PactOutboxRow.created_at)
        ).all()
        for row, name in rows:
            kind = row.event.get("type", "fetch " + ", ".join(row.event.get("fetch", [])))
            state = "abandoned" if row.abandoned_at else "waiting"
            table.add_row(
                name, kind, str(row.attempts), f"{row.next_attempt_at:%Y-%m-%d %H:%M:%S}", state,
                (row.last_error or "")[:80],
            )  # fmt: skip
    console.print(table if rows else "Nothing waits for delivery.")
