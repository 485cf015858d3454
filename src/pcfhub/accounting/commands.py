"""`pcfhub calc MODEL.yaml`: account a product model file against the configured database.

The model's factors, category rule and sub-models come from the database (`pcfhub init` or
`pcfhub demo` fills it). Without ``--organisation`` the model is accounted as the platform
reading public data; with it, as that organisation (its licences, its other models), and
``--save`` stores the model version and the result there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from pcfhub.accounting import recompute, service
from pcfhub.accounting.calculate import AccountingResult
from pcfhub.accounting.calculate import Progress as ProgressCallback
from pcfhub.accounting.formats import read_model_path
from pcfhub.accounting.results import Breakdown
from pcfhub.config import get_settings
from pcfhub.errors import NotFoundError, PcfhubError
from pcfhub.lci.commands import platform_reader
from pcfhub.platform.context import Platform
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.store import OrganisationRow
from pcfhub.platform.uow import UnitOfWork

UNIT = "kg CO2e"
STAGES = {
    "raw_materials": "raw materials 原材料获取",
    "production": "production 生产",
    "distribution": "distribution 分销",
    "use": "use 使用",
    "end_of_life": "end of life 生命末期",
}


def _bar(share: float, width: int = 30) -> str:
    filled = round(max(0.0, min(1.0, abs(share))) * width)
    return "█" * filled + "·" * (width - filled)


def _organisation(uow: UnitOfWork, slug: str) -> Principal:
    row = uow.session.scalar(select(OrganisationRow).where(OrganisationRow.slug == slug))
    if row is None:
        raise NotFoundError(f"--organisation: no organisation {slug!r}.")
    return Principal(
        organisation_id=row.id, organisation_kind=OrganisationKind(row.kind), role=Role.ADMIN
    )


def calc_model(
    console: Console,
    path: Path,
    *,
    iterations: int,
    seed: int,
    as_json: bool,
    organisation: str | None,
    save: bool,
) -> None:
    """Account the model file and print the result (tables, or JSON with ``as_json``)."""
    if save and organisation is None:
        console.print("[red]--save needs --organisation:[/red] whose model and result is it?")
        raise typer.Exit(code=2)
    platform = Platform.from_settings(get_settings())
    try:
        model = read_model_path(path)
        with platform.unit_of_work() as uow:
            principal = _organisation(uow, organisation) if organisation else platform_reader()
            with _progress(console, iterations, quiet=as_json) as advance:
                if save:
                    saved = service.save_model(uow, principal=principal, model=model)
                    stored = service.calculate(
                        uow,
                        principal=principal,
                        model_id=saved.model_id,
                        iterations=iterations,
                        seed=seed,
                        progress=advance,
                    )
                    uow.commit()
                    result, note = stored.result, f"Saved as result {stored.id}."
                else:
                    result = service.evaluate(
                        uow, principal, model, iterations=iterations, seed=seed, progress=advance
                    )
                    note = "Not saved (use --organisation and --save to store it)."
    except PcfhubError as error:
        console.print(f"[red]{error.title}:[/red] {error}")
        raise typer.Exit(code=2) from error
    finally:
        platform.dispose()
    if as_json:
        print(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    render(console, result, illustrative=model.product.illustrative, name_zh=model.product.name_zh)
    console.print(note)


@contextmanager
def _progress(console: Console, total: int, *, quiet: bool) -> Iterator[ProgressCallback | None]:
    """A Monte Carlo progress bar (none when quiet or without iterations)."""
    if not total or quiet:
        yield None
        return
    with Progress(
        TextColumn("Monte Carlo 蒙特卡洛"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("mc", total=total)
        yield lambda done, _total: bar.update(task, completed=done)


def _stage_table(result: Breakdown) -> Table:
    table = Table(title="By life-cycle stage 生命周期阶段")
    table.add_column("stage")
    table.add_column(UNIT, justify="right")
    table.add_column("share", justify="right")
    table.add_column("")
    for stage, value in result.by_stage.items():
        share = value / result.total if result.total else 0.0
        table.add_row(STAGES.get(stage, stage), f"{value:,.3f}", f"{share:.1%}", _bar(share))
    return table


def render(console: Console, result: AccountingResult, *, illustrative: bool, name_zh: str) -> None:
    """The result as rich tables: totals, both electricity variants, stages, hot spots,
    gases, uncertainty, compliance and provenance."""
    main = result.result
    label = " [yellow](ILLUSTRATIVE, not for claims)[/yellow]" if illustrative else ""
    console.print(f"\n[bold]{result.product}[/bold] {name_zh}{label}")
    console.print(
        f"Product carbon footprint 产品碳足迹: [bold green]{main.total:,.3f} {UNIT}[/bold green]"
        f" per {result.declared_unit} ({main.variant}-based electricity)"
    )
    totals = Table(title="Totals 合计")
    for column in ("", "location-based 基于位置", "market-based 基于市场"):
        totals.add_column(column, justify="right" if column else "left")
    for name, key in (
        ("total", "total"),
        ("fossil 化石", "fossil"),
        ("biogenic emissions 生物源排放", "biogenic_emissions"),
        ("biogenic removals 生物源清除", "biogenic_removals"),
        ("land-use change 土地利用变化", "land_use_change"),
        ("origin not stated 未区分", "not_split"),
    ):
        totals.add_row(
            name,
            f"{getattr(result.location_based, key):,.3f}",
            f"{getattr(result.market_based, key):,.3f}",
        )
    totals.add_row(
        "primary data share 初级数据占比",
        f"{result.location_based.primary_data_share:.0%}",
        f"{result.market_based.primary_data_share:.0%}",
    )
    totals.add_row(
        "data quality rating 数据质量",
        f"{result.location_based.data_quality_rating:.1f}",
        f"{result.market_based.data_quality_rating:.1f}",
    )
    console.print(totals)
    console.print(_stage_table(main))
    spots = Table(title="Hot spots 热点")
    for column in ("input", "process", "stage", UNIT, "share"):
        spots.add_column(column, justify="right" if column in (UNIT, "share") else "left")
    for line in result.hot_spots:
        spots.add_row(
            line.label, line.process, line.stage, f"{line.co2e_kg:,.3f}", f"{line.share:.1%}"
        )
    console.print(spots)
    gases = Table(title="By gas 按温室气体")
    for column in ("gas", "kg", UNIT):
        gases.add_column(column, justify="left" if column == "gas" else "right")
    for gas in main.by_gas:
        gases.add_row(gas.flow, f"{gas.kg:,.6g}", f"{gas.co2e_kg:,.3f}")
    console.print(gases)
    if result.uncertainty is not None:
        p = result.uncertainty.percentiles
        console.print(
            f"Uncertainty 不确定性 ({result.uncertainty.iterations} Monte Carlo iterations): "
            f"median {p['50']:,.3f}, 95% interval {p['2.5']:,.3f} – {p['97.5']:,.3f} {UNIT}"
        )
    verdict = (
        "[green]complies[/green]" if result.compliance.complies else "[red]does not comply[/red]"
    )
    rule = result.compliance.rule_code
    console.print(
        f"Compliance 规则符合性: {verdict}"
        + (f" with rule {rule} v{result.compliance.rule_version}" if rule else "")
    )
    for finding in result.compliance.findings:
        colour = "red" if finding.severity == "error" else "yellow"
        console.print(f"  [{colour}]{finding.severity}[/{colour}] {finding.message_en}")
    provenance = result.provenance
    console.print(f"GWP100: {provenance.gwp_set}, {provenance.gwp_source}")
    for factor in provenance.factors:
        console.print(f"Factor {factor.key} v{factor.version}: {factor.source}")
    for note in provenance.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")


accounting = typer.Typer(no_args_is_help=True, help="Product models and their results (核算).")


@accounting.command("recompute")
def recompute_command(
    organisation: Annotated[
        str | None, typer.Option(help="Only this organisation (its slug); default: every one.")
    ] = None,
) -> None:
    """Recompute every stale result (its factors have newer versions) as new results."""
    console = Console()
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work(read_only=True) as uow:
            if organisation:
                organisations = [_organisation(uow, organisation).organisation_id]
            else:
                organisations = recompute.affected_organisations(uow)
        total = 0
        for organisation_id in organisations:
            with platform.unit_of_work(read_only=True) as uow:
                ids = recompute.candidates(uow, organisation_id)
                with Progress(
                    TextColumn("resolving"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total}"),
                    console=console,
                    transient=True,
                ) as bar:
                    task = bar.add_task("plan", total=len(ids))
                    found = recompute.plan(
                        uow,
                        organisation_id=organisation_id,
                        result_ids=ids,
                        progress=lambda done, _t, _m, task=task: bar.update(task, completed=done),
                    )
            results = recompute.solve(found.stale)
            with platform.unit_of_work() as uow:
                stored = recompute.store(uow, organisation_id, found.stale, results)
                uow.commit()
            total += len(stored)
            console.print(
                f"{organisation_id}: {len(stored)} recomputed, {found.unchanged} unchanged "
                f"(pinned factor versions), {len(found.failed)} failed"
            )
            for result_id, why in found.failed:
                console.print(f"  [red]{result_id}[/red]: {why}")
    except PcfhubError as error:
        console.print(f"[red]{error.title}:[/red] {error}")
        raise typer.Exit(code=2) from error
    finally:
        platform.dispose()
    console.print(f"{total} results recomputed in {len(organisations)} organisations.")
