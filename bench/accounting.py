"""Accounting speed: one large product model with Monte Carlo, and a batch recompute.

(1) A seeded synthetic product model of 5,000 processes (five life-cycle stages, 2–4 process
inputs each, mostly acyclic with a few recycling loops, activity, electricity with green
certificates and transport exchanges against ~20 synthetic factors, a GSD on every exchange)
accounted with 1,000 Monte Carlo iterations, its parts timed apart. Baseline, same run:
bw2calc's ``IterativeLCA`` Monte Carlo on the headline inventory's matrices and spreads.

(2) In a temporary SQLite platform (and PostgreSQL with ``--postgres URL`` of an empty
database, or ``--postgres local`` for a throwaway server): 50 models of
20–100 processes, 1,000 stored results, a newer version of a factor every model uses; then
``recompute.plan``, ``solve`` (stacked, one factorization per variant) and ``store`` timed
apart. Baseline, same run: the same studies solved one by one.

    python bench/accounting.py --quick
    python bench/accounting.py --output docs/performance.md
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import sys
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.calc_vs_bw2calc import machine_facts
from tests.factors.builders import acting, publish

from pcfhub.accounting.inventory import ResolvedFactor
from pcfhub.accounting.model import ProductModel
from pcfhub.factors import gwp
from pcfhub.factors.model import FactorData

START, END = "<!-- bench:accounting:start -->", "<!-- bench:accounting:end -->"
MAKE_COMMAND = "python bench/accounting.py --output docs/performance.md"
TARGET_SECONDS = 30.0
STAGES = ("raw_materials", "production", "distribution", "use", "end_of_life")
STAGE_WEIGHTS = (0.55, 0.25, 0.08, 0.06, 0.06)
T = TypeVar("T")
LOAD_AT_START = os.getloadavg()[0]

# Synthetic factors: (key, unit, gases in kg per unit). Illustrative, not any publisher's.
MATERIALS = [(f"bench.material.{i:02d}", "kg") for i in range(12)]
FUELS = [(f"bench.fuel.{i:02d}", "MJ") for i in range(3)]
ELECTRICITY = [("bench.grid", "kWh"), ("bench.residual", "kWh"), ("bench.wind", "kWh")]
TRANSPORT = [("bench.truck", "t*km"), ("bench.ship", "t*km")]


def timed(call: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def step(out: dict[str, Any], name: str, call: Callable[[], T]) -> T:
    """Run ``call``; its wall-clock and CPU seconds (all threads) go to ``out``."""
    cpu = time.process_time()
    out[name], result = timed(call)
    out[name + "_cpu"] = time.process_time() - cpu
    log(f"{name} {out[name]:.2f} s (CPU {out[name + '_cpu']:.2f} s)")
    return result


def factor_data(key: str, unit: str, gases: dict[str, float], version: int = 1) -> FactorData:
    """A synthetic factor whose value is the AR6 GWP100 sum of its gases."""
    return FactorData.model_validate(dict(
        lineage_key=key, name_zh=f"{key}（合成示例）", name_en=f"{key} (synthetic, illustrative)",
        activity="bench." + key.split(".")[1], value=gwp.co2e(gases, "AR6"), unit=unit,
        gases=gases, gwp_set="AR6", boundary="cradle_to_gate", geography="CN",
        reference_year=2025, description=f"version {version}",
        source=dict(publisher="pcfhub bench (synthetic)", document="illustrative", year=2026),
        licence=dict(identifier="CC0-1.0", redistribution="open"),
        uncertainty=dict(distribution="lognormal", gsd=1.2),
    ))  # fmt: skip


def synthetic_factors(seed: int) -> dict[str, FactorData]:
    """20 factors by key with per-gas values (CO2, CH4, N2O; some biogenic CO2)."""
    rng = np.random.default_rng(seed)
    factors = {}
    for key, unit in MATERIALS + FUELS + ELECTRICITY + TRANSPORT:
        scale = {"kg": 2, "MJ": 0.07, "kWh": 0.6, "t*km": 0.08}[unit] / (20 if "wind" in key else 1)
        co2 = float(rng.uniform(0.5, 1.5) * scale)
        gases = {"co2_fossil": co2, "ch4_fossil": co2 * 0.002, "n2o": co2 * 0.0001}
        if unit == "kg" and rng.random() < 0.3:
            gases["co2_biogenic_emission"] = co2 * 0.2
        factors[key] = factor_data(key, unit, {gas: round(v, 9) for gas, v in gases.items()})
    return factors


def resolved(factors: dict[str, FactorData]) -> dict[tuple[str, int | None], ResolvedFactor]:
    """Unpinned references resolved to version 1 of each factor, as the service would."""
    return {
        (key, None): ResolvedFactor(
            version_id=uuid.uuid5(uuid.NAMESPACE_URL, key),
            key=key,
            version=1,
            content_hash="sha256:" + hashlib.sha256(data.model_dump_json().encode()).hexdigest(),
            data=data,
        )
        for key, data in factors.items()
    }


def model_dict(code: str, n: int, seed: int, loops: float = 0.01) -> dict[str, Any]:
    """A seeded product model of ``n`` processes as a dict (what an upload parses to).

    Process ``i`` takes 2–4 inputs from processes ``j > i`` (upstream; fewer for the last
    few), each 0.05–0.25 kg per kg, so every column sums below 1; a share ``loops`` also takes
    0.02 kg back from a process downstream (recycling), closing a loop. Every exchange has a GSD.
    """
    rng = np.random.default_rng(seed)
    stages = rng.choice(len(STAGES), size=n, p=STAGE_WEIGHTS)
    activities = MATERIALS + FUELS

    def exchange(kind: str, **fields: Any) -> dict[str, Any]:
        return dict(kind=kind, gsd=round(float(rng.uniform(1.05, 1.5)), 3), **fields)

    processes = []
    for i in range(n):
        count = min(int(rng.integers(2, 5)), n - 1 - i)
        upstream = rng.choice(np.arange(i + 1, n), size=count, replace=False) if count else []
        exchanges = [
            exchange("process", process=f"p{j}", unit="kg", amount=float(rng.uniform(0.05, 0.25)))
            for j in upstream
        ]
        if i > 10 and rng.random() < loops:
            exchanges.append(
                exchange("process", process=f"p{rng.integers(i)}", amount=0.02, unit="kg")
            )
        for _ in range(int(rng.integers(1, 3))):
            key, unit = activities[int(rng.integers(len(activities)))]
            kind = "primary" if rng.random() < 0.4 else "secondary"
            amount = float(rng.uniform(0.1, 3.0))
            exchanges.append(
                exchange("activity", factor={"key": key}, unit=unit, amount=amount, data_type=kind)
            )
        if i == 0 or rng.random() < 0.4:  # the reference process always uses electricity
            kwh = float(rng.uniform(1, 50))
            electricity = exchange("electricity", amount=kwh, grid={"key": "bench.grid"})
            if rng.random() < 0.5:
                electricity["residual"] = {"key": "bench.residual"}
            if rng.random() < 0.5:
                certificate = dict(type="green_certificate", factor={"key": "bench.wind"})
                certificate.update(amount=kwh * float(rng.uniform(0.2, 0.9)), identifier=f"GEC-{i}")
                electricity["instruments"] = [certificate]
            exchanges.append(electricity)
        if rng.random() < 0.3:
            key = TRANSPORT[int(rng.integers(len(TRANSPORT)))][0]
            distance = {"amount": float(rng.uniform(50, 2000)), "unit": "km"}
            mass = {"amount": 1, "unit": "kg"}
            exchanges.append(
                exchange("transport", factor={"key": key}, mass=mass, distance=distance)
            )
        stage = "production" if i == 0 else STAGES[int(stages[i])]
        output = {"amount": 1, "unit": "kg"}
        processes.append(
            dict(id=f"p{i}", name=f"Process {i}", stage=stage, output=output, exchanges=exchanges)
        )
    product = dict(name_en=f"Synthetic product {code}", name_zh=f"合成产品 {code}",
                   declared_unit=output, boundary="cradle_to_grave", reference_process="p0",
                   reference_period=["2025-01-01", "2025-12-31"], illustrative=True)  # fmt: skip
    return {"code": code, "product": product, "processes": processes}


# --- (1) one large model -------------------------------------------------------------------


def bw2calc_monte_carlo(inventory: Any, iterations: int, seed: int, budget: float) -> dict:
    """bw2calc ``IterativeLCA`` Monte Carlo on the inventory's matrices and spreads, stopped
    after ``iterations`` or once ``budget`` seconds have passed; datapackages built untimed."""
    import bw2calc

    from pcfhub.formats.brightway import process_id, to_datapackage

    system = inventory.system
    demand = {process_id(inventory.reference): inventory.demand}
    static = bw2calc.LCA(demand, data_objs=[to_datapackage(system)])
    static.lci()
    static.lcia()
    package = to_datapackage(
        system,
        technosphere=inventory.technosphere_uncertainty,
        biosphere=inventory.biosphere_uncertainty,
    )
    start, cpu = time.perf_counter(), time.process_time()
    lca = bw2calc.IterativeLCA(
        demand, data_objs=[package], use_distributions=True, seed_override=seed
    )
    lca.lci()
    lca.lcia()
    scores = [float(lca.score)]
    while len(scores) < iterations and time.perf_counter() - start < budget:
        next(lca)
        scores.append(float(lca.score))
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    return dict(seconds=seconds, cpu=cpu, iterations=len(scores), scores=np.array(scores),
                static=float(static.score))  # fmt: skip


def large(args: argparse.Namespace) -> dict[str, Any]:
    """Validate and account one large model; then its parts one by one; then bw2calc."""
    from pcfhub.accounting.calculate import Study, account, assemble
    from pcfhub.accounting.results import uncertainty

    factors = resolved(synthetic_factors(args.seed))
    data = model_dict("bench-large", args.processes, args.seed)
    out: dict[str, Any] = {"exchanges": sum(len(p["exchanges"]) for p in data["processes"])}
    model = step(out, "validate", lambda: ProductModel.model_validate(data))
    result = step(
        out, "account", lambda: account(model, factors, iterations=args.iterations, seed=args.seed)
    )
    study = Study(model, factors)
    inventories = step(out, "inventories", study.inventories)
    solved = step(
        out, "factorize", lambda: {v: i.system.factorize() for v, i in inventories.items()}
    )
    supplies = step(out, "supply", lambda: {
        v: solved[v].supply_array({i.reference: i.demand}) for v, i in inventories.items()
    })  # fmt: skip
    head = inventories[study.headline]
    spread = step(out, "monte_carlo", lambda: uncertainty(
        head, solved[study.headline], iterations=args.iterations, seed=args.seed
    ))  # fmt: skip
    again = step(out, "assemble", lambda: assemble(study, inventories, supplies, spread))
    out["same_as_account"] = again.result.total == result.result.total and (
        again.uncertainty == result.uncertainty
    )
    out.update(headline=study.headline, total=result.result.total, mean=spread.mean,
               std=spread.std, columns=head.system.n_processes,
               nnz=head.system.technosphere_matrix.nnz)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out["bw2calc"] = bw2calc_monte_carlo(head, args.iterations, args.seed, args.budget)
    log(f"bw2calc {out['bw2calc']['iterations']} iterations {out['bw2calc']['seconds']:.2f} s")
    return out


# --- (2) batch recompute -------------------------------------------------------------------


def batch(args: argparse.Namespace, url: str | None, folder: Path) -> dict[str, Any]:
    """Store results in a real database, supersede a factor, recompute them as one batch."""
    from pydantic import SecretStr

    from pcfhub.accounting import recompute, service
    from pcfhub.accounting.calculate import assemble
    from pcfhub.accounting.inventory import VARIANTS
    from pcfhub.calc.blocks import stack
    from pcfhub.config import Settings
    from pcfhub.platform.context import Platform
    from pcfhub.platform.demo import seed_demo

    settings = Settings(environment="test", data_dir=folder, secret_key=SecretStr("b" * 48),
                        database_url=url or f"sqlite:///{folder}/bench.sqlite3")  # fmt: skip
    platform = Platform.from_settings(settings)
    platform.init()
    demo = {s.organisation: s for s in seed_demo(platform)}
    owner, contributor, reviewer = (
        acting(demo[k]) for k in ("cq-laptop", "cq-battery", "operator")
    )
    factors = synthetic_factors(args.seed)
    with platform.unit_of_work() as uow:
        for data in factors.values():
            publish(uow, contributor, reviewer, data)
        uow.commit()
    rng = np.random.default_rng(args.seed)
    sizes = rng.integers(args.small[0], args.small[1] + 1, size=args.models)
    start = time.perf_counter()
    for m, size in enumerate(sizes):
        model = ProductModel.model_validate(model_dict(f"bench-{m}", int(size), args.seed + m))
        with platform.unit_of_work() as uow:
            saved = service.save_model(uow, principal=owner, model=model)
            for r in range(m, args.results, args.models):
                service.calculate(
                    uow, principal=owner, model_id=saved.model_id, iterations=0, seed=r
                )
            uow.commit()
    setup = time.perf_counter() - start
    log(f"stored {args.results} results of {args.models} models in {setup:.1f} s")
    grid = factors["bench.grid"].gases
    with platform.unit_of_work() as uow:
        newer = {gas: round(value * 1.1, 9) for gas, value in grid.items()}
        publish(uow, contributor, reviewer, factor_data("bench.grid", "kWh", newer, version=2))
        uow.commit()

    org = owner.organisation_id
    with platform.unit_of_work(read_only=True) as uow:
        plan_s, found = timed(lambda: recompute.plan(uow, organisation_id=org))
    log(f"plan {plan_s:.1f} s: {len(found.stale)} stale")
    solve_s, results = timed(lambda: recompute.solve(found.stale))
    log(f"solve {solve_s:.1f} s")
    with platform.unit_of_work() as uow:
        store_s, stored = timed(lambda: recompute.store(uow, org, found.stale, results))
        commit_s, _ = timed(uow.commit)
    log(f"store {store_s + commit_s:.1f} s")

    # Baseline: per study, what account(..., iterations=0) does, timed by part.
    studies = [item.study for item in found.stale]
    inv_s, inventories = timed(lambda: [s.inventories() for s in studies])
    one_s, supplies = timed(
        lambda: [
            {v: i.system.factorize().supply_array({i.reference: i.demand}) for v, i in inv.items()}
            for inv in inventories
        ]
    )
    assemble_s, alone = timed(
        lambda: [
            assemble(s, inv, sup, None)
            for s, inv, sup in zip(studies, inventories, supplies, strict=True)
        ]
    )
    log(f"one by one {inv_s + one_s + assemble_s:.1f} s")
    stacked_s = 0.0
    for variant in VARIANTS:
        systems = [inv[variant] for inv in inventories]
        demands = [i.system.demand_array({i.reference: i.demand}) for i in systems]
        seconds, _ = timed(lambda s=systems, d=demands: stack([i.system for i in s]).supplies(d))
        stacked_s += seconds
    pairs = [(a.location_based, b.location_based) for a, b in zip(results, alone, strict=True)]
    pairs += [(a.market_based, b.market_based) for a, b in zip(results, alone, strict=True)]
    platform.dispose()
    counts = (len(found.stale), len(stored), found.unchanged, len(found.failed))
    return dict(
        setup=setup, plan=plan_s, solve=solve_s, store=store_s + commit_s, counts=counts,
        processes=sum(inv["location"].system.n_processes for inv in inventories),
        inventories=inv_s, one_by_one=one_s, assemble=assemble_s, stacked=stacked_s,
        max_diff=max(abs(a.total - b.total) / abs(b.total) for a, b in pairs),
        sizes=(int(sizes.min()), int(sizes.max())),
    )  # fmt: skip


# --- report ---------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def large_lines(r: dict[str, Any], args: argparse.Namespace) -> list[str]:
    bw, n = r["bw2calc"], args.iterations
    ours, theirs = r["monte_carlo"] / n, bw["seconds"] / bw["iterations"]
    verdict = "PASS" if r["account"] < TARGET_SECONDS else "FAIL"
    parts = r["inventories"] + r["factorize"] + r["supply"] + r["monte_carlo"] + r["assemble"]
    fewer = f" ({bw['iterations']} of {n} iterations run, budget {args.budget:.0f} s)"
    fewer = "" if bw["iterations"] == n else fewer
    rel = abs(r["total"] - bw["static"]) / abs(bw["static"])
    mean_se = float(np.std(bw["scores"], ddof=1) / np.sqrt(bw["iterations"]))
    return [
        f"### (1) One model of {args.processes:,} processes, {n:,} Monte Carlo iterations",
        "",
        f"{r['exchanges']:,} exchanges; A of the {r['headline']}-based (headline) variant: "
        f"{r['columns']:,} columns, {r['nnz']:,} non-zeros. Seed {args.seed}.",
        "",
        "| step | seconds | CPU seconds | share of the parts |",
        "|---|--:|--:|--:|",
        f"| `ProductModel.model_validate` (dict → model) | {r['validate']:.2f} | "
        f"{r['validate_cpu']:.2f} | – |",
        f"| **`account(model, factors, iterations={n})`, end to end** | **{r['account']:.2f}** "
        f"| {r['account_cpu']:.2f} | – |",
        *(
            f"| ↳ {label} | {r[key]:.2f} | {r[key + '_cpu']:.2f} | {r[key] / parts:.1%} |"
            for key, label in (
                ("inventories", "`Study.inventories()` (both electricity variants)"),
                ("factorize", "`factorize()` × 2"),
                ("supply", "`supply_array` × 2"),
                ("monte_carlo", f"`results.uncertainty` (Monte Carlo, {n:,} iterations)"),
                ("assemble", "`assemble` (breakdowns, compliance, provenance)"),
            )
        ),
        f"| bw2calc `IterativeLCA` Monte Carlo, same matrices and spreads | {bw['seconds']:.2f} "
        f"| {bw['cpu']:.2f} | – |",
        "",
        f"- **Target: accounted in under {TARGET_SECONDS:.0f} s: {verdict}** (`account` "
        f"{r['account']:.1f} s; with validation {r['account'] + r['validate']:.1f} s).",
        f"- Monte Carlo per iteration: pcfhub {1000 * ours:.2f} ms, bw2calc {1000 * theirs:.2f} ms"
        f"{fewer}: pcfhub {theirs / ours:.1f}× faster.",
        f"- Agreement: static footprint pcfhub {r['total']:.6g} vs bw2calc {bw['static']:.6g} kg "
        f"CO2e (rel. Δ {rel:.1e}); Monte Carlo mean pcfhub {r['mean']:.5g} ± sd {r['std']:.3g}, "
        f"bw2calc {bw['scores'].mean():.5g} (s.e. {mean_se:.2g}; independent random numbers).",
        f"- The parts, run again one by one, give the same result as `account`: "
        f"{'yes' if r['same_as_account'] else '**no**'}.",
    ]


def batch_lines(name: str, r: dict[str, Any], args: argparse.Namespace) -> list[str]:
    batch_s = r["plan"] + r["solve"] + r["store"]
    alone = r["inventories"] + r["one_by_one"] + r["assemble"]
    return [
        f"### (2) Batch recompute, {name}",
        "",
        f"{args.models} models of {r['sizes'][0]}–{r['sizes'][1]} processes, {args.results:,} "
        f"stored results (iterations 0, stored by `service.calculate` in {r['setup']:.0f} s, "
        f"untimed); then a newer version of `bench.grid`, which every model uses. Stale, stored, "
        f"unchanged, failed: {', '.join(map(str, r['counts']))}. Stacked system: "
        f"{r['processes']:,} columns per variant.",
        "",
        "| step | batch (`recompute`) s | one by one s | ratio |",
        "|---|--:|--:|--:|",
        f"| `plan` (find stale, resolve again) | {r['plan']:.2f} | – | – |",
        f"| `solve`, end to end | {r['solve']:.2f} | {alone:.2f} | {alone / r['solve']:.2f}× |",
        f"| ↳ inventories (both variants) | – | {r['inventories']:.2f} | – |",
        f"| ↳ factorize + solve | {r['stacked']:.2f} (stacked, 1 factorization per variant) | "
        f"{r['one_by_one']:.2f} ({2 * r['counts'][0]:,} factorizations) | "
        f"{r['one_by_one'] / r['stacked']:.1f}× |",
        f"| ↳ `assemble` | – | {r['assemble']:.2f} | – |",
        f"| `store` (+ commit) | {r['store']:.2f} | – | – |",
        f"| plan + solve + store | {batch_s:.2f} | – | – |",
        "",
        f"- Same totals, batch vs one by one (both variants, every result): max rel. Δ "
        f"{r['max_diff']:.1e}.",
    ]


def section(args: argparse.Namespace, big: dict[str, Any], batches: dict[str, dict]) -> str:
    this_run = ("python bench/accounting.py " + shlex.join(sys.argv[1:])).strip()
    lines = [
        "## Accounting: one large model, and a batch recompute",
        "",
        f"Generated by `make bench`, which runs `{MAKE_COMMAND}`."
        + ("" if this_run == MAKE_COMMAND else f" This run: `{this_run}`."),
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on:",
        "",
        *machine_facts(),
        f"- Load average (1 min) at start and end: {LOAD_AT_START:.1f}, {os.getloadavg()[0]:.1f}"
        " (other work on the machine slows every timing alike)",
        "",
        "Synthetic, seeded models (`bench/accounting.py`; illustrative factors whose values are "
        "the AR6 GWP100 sums of their gases). Baselines in the same run: bw2calc's "
        "`IterativeLCA` on the same matrices and spreads (datapackage from "
        "`pcfhub.formats.brightway`, built untimed); the same studies solved one by one, as "
        "`account(…, iterations=0)` does, timed by part.",
        "",
        *large_lines(big, args),
    ]
    for name, r in batches.items():
        lines += ["", *batch_lines(name, r, args)]
    return "\n".join(lines) + "\n"


def write_output(path: Path, body: str) -> None:
    """Replace the marked block of ``path``, or append it."""
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{body}{END}"
    if START in text:
        before, _, rest = text.partition(START)
        text = before + block + rest.partition(END)[2]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=5000, help="processes of the large model")
    parser.add_argument("--iterations", type=int, default=1000, help="Monte Carlo iterations")
    parser.add_argument("--budget", type=float, default=180, help="bw2calc Monte Carlo, s")
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--results", type=int, default=1000)
    parser.add_argument("--small", type=int, nargs=2, default=[20, 100], help="process range")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also an empty PostgreSQL database; 'local' starts a throwaway server",
    )
    parser.add_argument("--output", type=Path, help="docs/performance.md to update")
    parser.add_argument("--quick", action="store_true", help="smoke test: small sizes")
    args = parser.parse_args(argv)
    if args.quick:
        args.processes, args.iterations, args.models, args.results = 200, 50, 4, 20
        args.small, args.budget = [20, 30], 10
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    big = large(args)
    batches = {}
    with tempfile.TemporaryDirectory() as folder:
        batches["SQLite"] = batch(args, None, Path(folder) / "sqlite")
        if args.postgres == "local":
            from tests.support.postgres import PostgresServer, create_database, database_url

            with PostgresServer.start() as server:
                create_database(server.url, "bench")
                url = database_url(server.url, "bench")
                batches["PostgreSQL"] = batch(args, url, Path(folder) / "postgresql")
        elif args.postgres:
            batches["PostgreSQL"] = batch(args, args.postgres, Path(folder) / "postgresql")
    body = section(args, big, batches)
    print(body)
    if args.output:
        write_output(args.output, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
