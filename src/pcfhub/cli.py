"""The ``pcfhub`` command line: parse, call one service, format."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pcfhub import __version__
from pcfhub.accounting.commands import accounting, calc_model
from pcfhub.calc.montecarlo import monte_carlo
from pcfhub.calc.paths import supply_chain_paths
from pcfhub.catalogue.commands import catalogue
from pcfhub.config import get_settings
from pcfhub.demo import load_model
from pcfhub.errors import PcfhubError
from pcfhub.exchange.commands import pact
from pcfhub.factors.commands import factors
from pcfhub.lci.background import Background
from pcfhub.lci.commands import lci, platform_reader
from pcfhub.lci.service import background_of
from pcfhub.platform.commands import add_platform_commands
from pcfhub.platform.context import Platform
from pcfhub.reports.commands import report
from pcfhub.reports.declarations_commands import declare

app = typer.Typer(
    name="pcfhub",
    help="pcfhub: product carbon footprints (产品碳足迹) by GB/T 24067 / ISO 14067.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

STAGE_NAMES = {
    "raw_materials": "raw materials 原材料获取",
    "production": "production 生产",
    "distribution": "distribution 分销",
    "use": "use 使用",
    "end_of_life": "end of life 废弃处置",
}


def _version(value: bool) -> None:
    if value:
        console.print(f"pcfhub {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """pcfhub command line."""


def _bar(share: float, width: int = 30) -> str:
    filled = round(max(0.0, min(1.0, abs(share))) * width)
    return "█" * filled + "·" * (width - filled)


def _open_background(database: str, release: str) -> Background:
    """An imported LCI release from the configured database, for models that link one."""
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work(read_only=True) as uow:
            return background_of(
                uow, principal=platform_reader(), database=database, release=release
            )
    finally:
        platform.dispose()


@app.command()
def calc(
    model_file: Annotated[
        Path | None,
        typer.Argument(
            exists=True, dir_okay=False, help="A product model (.yaml, .json or .xlsx)."
        ),
    ] = None,
    iterations: Annotated[
        int, typer.Option(min=0, help="Monte Carlo iterations (0: skip).")
    ] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed for Monte Carlo.")] = 42,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    organisation: Annotated[
        str | None, typer.Option(help="Account as this organisation (its slug).")
    ] = None,
    save: Annotated[
        bool, typer.Option(help="Store the model version and result (needs --organisation).")
    ] = False,
    model: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="A matrix model TOML file (demo format)."),
    ] = None,
) -> None:
    """Account a product model file and print its footprint (docs/modelling.md).

    Without MODEL_FILE (or with --model TOML) it computes the illustrative matrix demo.
    """
    if model_file is not None:
        calc_model(
            console, model_file, iterations=iterations, seed=seed, as_json=as_json,
            organisation=organisation, save=save,
        )  # fmt: skip
        return
    try:
        loaded = load_model(model, background=_open_background)
        lca = loaded.system.factorize()
        result = lca.footprint({loaded.reference: 1.0})
        paths = supply_chain_paths(lca, {loaded.reference: 1.0}, cutoff=0.005, max_paths=8)
    except PcfhubError as error:
        console.print(f"[red]{error.title}:[/red] {error}")
        raise typer.Exit(code=2) from error
    unit = "kg CO2e"
    label = " [yellow](ILLUSTRATIVE data, not for claims)[/yellow]" if loaded.illustrative else ""
    console.print(f"\n[bold]{loaded.name}[/bold] {loaded.name_zh}{label}")
    console.print(
        f"Product carbon footprint 产品碳足迹: [bold green]{result.score:,.2f} {unit}"
        f"[/bold green] per {loaded.declared_unit}"
    )
    for origin, value in result.score_by_origin.items():
        console.print(f"  {origin}: {value:,.2f} {unit}")

    stages = Table(title="By life-cycle stage 生命周期阶段", show_lines=False)
    stages.add_column("stage")
    stages.add_column(unit, justify="right")
    stages.add_column("share", justify="right")
    stages.add_column("")
    for stage, value in result.by_group().items():
        share = value / result.score if result.score else 0.0
        stages.add_row(STAGE_NAMES.get(stage, stage), f"{value:,.2f}", f"{share:.1%}", _bar(share))
    console.print(stages)

    processes = Table(title="Largest direct contributions by process")
    processes.add_column("process")
    processes.add_column(unit, justify="right")
    processes.add_column("share", justify="right")
    for item in result.top_processes(6):
        processes.add_row(item.label, f"{item.amount:,.3f}", f"{item.share:.1%}")
    console.print(processes)

    chains = Table(title="Largest supply-chain paths (cumulative)")
    chains.add_column("path")
    chains.add_column(unit, justify="right")
    chains.add_column("share", justify="right")
    for path in paths:
        chains.add_row(
            " ← ".join(path.labels), f"{path.cumulative_score:,.2f}", f"{path.share:.1%}"
        )
    console.print(chains)

    every = Table(title="Footprint of every product in the model (one transposed solve)")
    every.add_column("product")
    every.add_column("kg CO2e per unit", justify="right")
    every.add_column("unit")
    scores = lca.process_footprints.scores
    for i, name in enumerate(loaded.system.process_labels or ()):
        every.add_row(name, f"{scores[i]:,.4f}", loaded.process_units[i])
    console.print(every)

    if iterations >= 2:
        with Progress(
            TextColumn("Monte Carlo"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task("mc", total=iterations)
            mc = monte_carlo(
                lca,
                {loaded.reference: 1.0},
                technosphere=loaded.technosphere_uncertainty,
                biosphere=loaded.biosphere_uncertainty,
                iterations=iterations,
                seed=seed,
                sensitivity=True,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
        p = mc.score.percentiles
        console.print(
            f"Uncertainty 不确定性 ({mc.iterations} Monte Carlo iterations, pedigree-based): "
            f"median {p[50.0]:,.2f}, 95% interval {p[2.5]:,.2f} – {p[97.5]:,.2f} {unit}"
        )
        if mc.sensitivity is not None:
            console.print(
                "Largest sources of variance: "
                + "; ".join(f"{item.name} {item.share:.0%}" for item in mc.sensitivity.top(3))
            )
    console.print(f"GWP100: {loaded.gwp_source}")
    for key, source in loaded.factor_sources.items():
        console.print(f"Factor {key}: {source}")


add_platform_commands(app, console)
app.add_typer(factors, name="factors")
app.add_typer(lci, name="lci")
app.add_typer(catalogue, name="catalogue")
app.add_typer(accounting, name="accounting")
app.add_typer(report, name="report")
app.add_typer(declare, name="declare")
app.add_typer(pact, name="pact")


if __name__ == "__main__":  # python -m pcfhub.cli
    app()
