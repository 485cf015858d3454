"""Benchmark pcfhub's calculation core against Brightway's bw2calc 3.x on identical matrices.

Both sides get the same seeded synthetic system (``pcfhub.calc.synthetic``): pcfhub as index
arrays, bw2calc as the in-memory datapackage of ``pcfhub.formats.brightway``. Cases:

(a) one product's footprint, factorization included;
(b) the footprint of every process (pcfhub's adjoint solve vs ``FastScoresOnlyMultiLCA``);
(c) Monte Carlo of one product (pcfhub's ``monte_carlo`` vs ``IterativeLCA``), and the
    sampling floor: drawing the samples and rebuilding the matrices alone; untimed, the
    identical-sample check: bw2calc's ``LCA`` iterating over pcfhub's own draws (array
    columns), compared iteration by iteration with pcfhub's ``monte_carlo``;
(d) Monte Carlo of every process at once (pcfhub only).

Every (size, case, side), and the identical-sample check, runs in a fresh spawned process, so
its peak RSS is its own. Run ``python bench/calc_vs_bw2calc.py --quick`` for a smoke test;
``--only same-samples`` for the identical-sample check alone; ``make bench`` for the numbers
in docs/performance.md.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import multiprocessing
import os
import platform
import resource
import shlex
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

START_MARKER = "<!-- bench:calc:start -->"
END_MARKER = "<!-- bench:calc:end -->"
MAKE_COMMAND = (
    "python bench/calc_vs_bw2calc.py --sizes 1000 5000 20000 --output docs/performance.md"
)
TOLERANCE = 1e-9
SAME_SAMPLES_TOLERANCE = 1e-6  # per iteration, pcfhub vs bw2calc on identical samples
TARGET_SIZE = 20_000
MEMORY_LIMIT_MIB = 2e9 / 2**20  # 2 GB
SAMPLE_CHUNK = 50
CASES = {
    "a": "(a) one product, factorization included",
    "b": "(b) every process (adjoint)",
    "c": "(c) Monte Carlo of one product",
    "d": "(d) Monte Carlo of every process",
}
# (case, side) pairs run per size, each in its own process.
PLAN = (
    ("a", "pcfhub"),
    ("a", "bw2calc"),
    ("b", "pcfhub"),
    ("b", "bw2calc"),
    ("c", "pcfhub"),
    ("c", "bw2calc"),
    ("floor", "pcfhub"),
    ("d", "pcfhub"),
)
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "OPENBLAS_CORETYPE",
)
T = TypeVar("T")


@dataclass(frozen=True)
class Task:
    """One case on one side at one size; run in a fresh process."""

    size: int
    case: str
    side: str
    repeats: int
    iterations: int
    sigma: float
    seed: int


@dataclass
class Outcome:
    """Median time, peak memory and the result of the last repeat."""

    seconds: float
    times: list[float]
    peak_mib: float
    import_mib: float
    value: Any
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SameSamples:
    """Case (c) on identical samples: pcfhub's ``monte_carlo`` and bw2calc on its draws.

    ``columns``: the array column bw2calc's indexers pointed at, per iteration;
    ``data_match``: whether bw2calc's A and B input data equalled that iteration's draws;
    ``direct``: scores of iterations 0 and 1 by a direct scipy solve of the sampled matrices.
    """

    pcfhub: NDArray[np.float64]
    bw2calc: NDArray[np.float64]
    columns: list[tuple[int, int]]
    data_match: list[bool]
    direct: tuple[float, float]
    seconds: float
    peak_mib: float

    @property
    def max_diff(self) -> float:
        """Largest per-iteration |pcfhub − bw2calc| / |bw2calc|."""
        import numpy as np

        return float(np.max(np.abs(self.pcfhub - self.bw2calc) / np.abs(self.bw2calc)))

    @property
    def mean_diff(self) -> float:
        return relative(float(self.pcfhub.mean()), float(self.bw2calc.mean()))

    @property
    def median_diff(self) -> float:
        import numpy as np

        return relative(float(np.median(self.pcfhub)), float(np.median(self.bw2calc)))

    @property
    def direct_diffs(self) -> tuple[float, float]:
        """bw2calc's iterations 0 and 1 vs the direct solves of draws 0 and 1."""
        return relative(self.bw2calc[0], self.direct[0]), relative(self.bw2calc[1], self.direct[1])

    @property
    def in_order(self) -> bool:
        """bw2calc used column k of every array at iteration k, and its data were draw k."""
        in_step = self.columns == [(k, k) for k in range(self.bw2calc.size)]
        return in_step and all(self.data_match) and max(self.direct_diffs) <= TOLERANCE

    @property
    def ok(self) -> bool:
        return self.in_order and self.max_diff <= SAME_SAMPLES_TOLERANCE


# --- work done inside the child processes -------------------------------------------------


def _rss_mib() -> float:
    """Current resident set size in MiB (VmRSS of /proc/self/status)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _uncertainty(syn: Any, sigma: float) -> tuple[Any, Any]:
    """Lognormal σ on every technosphere and biosphere entry, diagonal included."""
    from pcfhub.calc.uncertainty import UncertaintyArrays

    return (
        UncertaintyArrays.lognormal(syn.technosphere[2], sigma),
        UncertaintyArrays.lognormal(syn.biosphere[2], sigma),
    )


def _system(syn: Any) -> Any:
    from pcfhub.calc import ProductSystem

    return ProductSystem.from_arrays(
        technosphere=syn.technosphere,
        biosphere=syn.biosphere,
        characterization=syn.characterization,
        n_processes=syn.n_processes,
    )


def _pcfhub_case(task: Task, syn: Any) -> tuple[Callable[[], Any], dict[str, Any]]:
    """The timed pcfhub call for ``task`` (matrix building from arrays included)."""
    from pcfhub.calc.montecarlo import monte_carlo

    n = task.size
    demand = {n - 1: 1.0}
    tu, bu = _uncertainty(syn, task.sigma)
    extra: dict[str, Any] = {}

    def one_product() -> float:
        return _system(syn).factorize().footprint(demand).score

    def every_process() -> NDArray[np.float64]:
        lca = _system(syn).factorize()
        extra.update(
            nnz=int(lca.system.technosphere_matrix.nnz),
            fill=lca.factorization.fill,
            loops=[int(x) for x in lca.factorization.loop_sizes[:3]],
            solver=lca.factorization.solver,
        )
        return lca.process_footprints.scores

    def monte_carlo_run(all_processes: bool) -> NDArray[np.float64]:
        lca = _system(syn).factorize()
        result = monte_carlo(
            lca,
            demand,
            technosphere=tu,
            biosphere=bu,
            iterations=task.iterations,
            seed=task.seed,
            all_processes=all_processes,
        )
        extra.update(sweeps=result.sweeps, refactorized=result.refactorized)
        return result.scores

    if task.case == "a":
        return one_product, extra
    if task.case == "b":
        return every_process, extra
    if task.case in ("c", "d"):
        return (lambda: monte_carlo_run(task.case == "d")), extra
    return _sampling_floor(task, syn, tu, bu), extra


def _sampling_floor(task: Task, syn: Any, tu: Any, bu: Any) -> Callable[[], None]:
    """Draw every sample with pcfhub's sampler and build A and B per iteration, nothing else.

    Slots (where each entry lands in the matrix data) are computed before the timer.
    """
    import numpy as np
    from scipy import sparse

    from pcfhub.calc.matrices import entry_slots

    system = _system(syn)
    a, b = system.technosphere_matrix, system.biosphere_matrix
    a_slots = entry_slots(a, system.technosphere_entries)
    b_slots = entry_slots(b, system.biosphere_entries)
    a_values, b_values = system.technosphere_entries.values, system.biosphere_entries.values

    def floor() -> None:
        rng = np.random.default_rng(task.seed)
        done = 0
        while done < task.iterations:
            count = min(SAMPLE_CHUNK, task.iterations - done)
            a_samples = tu.sample(a_values, rng, count)
            b_samples = bu.sample(b_values, rng, count)
            for s in range(count):
                sparse.csc_array(
                    (np.bincount(a_slots, a_samples[s], minlength=a.nnz), a.indices, a.indptr),
                    shape=a.shape,
                )
                sparse.csr_array(
                    (np.bincount(b_slots, b_samples[s], minlength=b.nnz), b.indices, b.indptr),
                    shape=b.shape,
                )
            done += count

    return floor


def _bw2calc_inputs(task: Task, syn: Any) -> Any:
    """The datapackage (with distributions for Monte Carlo); built before the timer."""
    from pcfhub.formats.brightway import to_datapackage

    system = _system(syn)
    if task.case == "c":
        tu, bu = _uncertainty(syn, task.sigma)
        return to_datapackage(system, technosphere=tu, biosphere=bu)
    return to_datapackage(system)


def _bw2calc_case(task: Task, syn: Any) -> tuple[Callable[[Any], Any], dict[str, Any]]:
    """The timed bw2calc call, given a fresh datapackage (matrix building included)."""
    import bw2calc
    import numpy as np

    from pcfhub.formats.brightway import IMPACT_CATEGORY, process_id

    n = task.size
    demand = {process_id(n - 1): 1.0}
    demands = {str(i): {process_id(i): 1.0} for i in range(n)}
    index_of = {process_id(i): i for i in range(n)}
    extra: dict[str, Any] = {}

    def one_product(package: Any) -> float:
        lca = bw2calc.LCA(demand, data_objs=[package])
        lca.lci()
        lca.lcia()
        return float(lca.score)

    def every_process(package: Any) -> NDArray[np.float64]:
        multi = bw2calc.FastScoresOnlyMultiLCA(
            demands=demands,
            method_config={"impact_categories": [IMPACT_CATEGORY]},
            data_objs=[package],
            direction="adjoint",
        )
        multi.calculate()
        product_scores = multi.product_scores
        scores = np.full(n, np.nan)
        ids = np.asarray(product_scores.coords["products"])
        scores[[index_of[int(i)] for i in ids]] = np.asarray(product_scores)[0]
        return scores

    def monte_carlo_run(package: Any) -> NDArray[np.float64]:
        # The matrices built by lci() are already a sample (stats_arrays draws when the
        # MappedMatrix is built), so lci() + (iterations - 1) × next() give `iterations`.
        lca = bw2calc.IterativeLCA(
            demand, data_objs=[package], use_distributions=True, seed_override=task.seed
        )
        lca.lci()
        lca.lcia()
        scores = [lca.score]
        for _ in range(task.iterations - 1):
            next(lca)
            scores.append(lca.score)
        extra["solver_stats"] = dict(lca.solver_stats)
        return np.array(scores)

    calls = {"a": one_product, "b": every_process, "c": monte_carlo_run}
    return calls[task.case], extra


def _drawn_arrays(
    system: Any, tu: Any, bu: Any, task: Task
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """pcfhub's draws as (nnz × iterations) data of A (CSC order) and B (CSR order)."""
    import numpy as np

    from pcfhub.calc.montecarlo import sampled_chunks

    a, b = system.technosphere_matrix, system.biosphere_matrix
    # Fortran order: bw2calc reads one column per iteration.
    a_data = np.empty((a.nnz, task.iterations), order="F")
    b_data = np.empty((b.nnz, task.iterations), order="F")
    done = 0
    for chunk in sampled_chunks(
        system,
        technosphere=tu,
        biosphere=bu,
        iterations=task.iterations,
        seed=task.seed,
        chunk_size=SAMPLE_CHUNK,
    ):
        count = chunk.technosphere.shape[0]
        a_data[:, done : done + count] = chunk.technosphere.T
        b_data[:, done : done + count] = chunk.biosphere.T
        if not np.all(chunk.characterization == system.characterization):
            raise AssertionError("c was sampled; the datapackage holds it static")
        done += count
    return a_data, b_data


def _direct_score(system: Any, a_data: NDArray[np.float64], b_data: NDArray[np.float64]) -> float:
    """Score of the last process's product with sampled A and B, by ``spsolve``."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import spsolve

    a, b = system.technosphere_matrix, system.biosphere_matrix
    demand = np.zeros(a.shape[0])
    demand[-1] = 1.0
    # SuperLU (partial pivoting) in the natural column order: the synthetic systems are
    # nearly triangular in it, while COLAMD, the default, takes minutes at 20,000 processes.
    matrix = sparse.csc_array((a_data, a.indices, a.indptr), shape=a.shape)
    x = spsolve(matrix, demand, permc_spec="NATURAL")
    inventory = sparse.csr_array((b_data, b.indices, b.indptr), shape=b.shape) @ x
    return float(system.characterization @ inventory)


def run_same_samples(task: Task) -> SameSamples:
    """Child-process entry: pcfhub's ``monte_carlo`` and bw2calc's ``LCA`` on the same draws."""
    warnings.filterwarnings("ignore")
    import bw2calc
    import numpy as np

    from pcfhub.calc.montecarlo import monte_carlo
    from pcfhub.calc.synthetic import synthetic_system
    from pcfhub.formats.brightway import process_id, samples_to_datapackage

    start = time.perf_counter()
    n = task.size
    syn = synthetic_system(n, seed=task.seed)
    system = _system(syn)
    tu, bu = _uncertainty(syn, task.sigma)
    ours = monte_carlo(
        system.factorize(),
        {n - 1: 1.0},
        technosphere=tu,
        biosphere=bu,
        iterations=task.iterations,
        seed=task.seed,
        chunk_size=SAMPLE_CHUNK,
    ).scores
    a_data, b_data = _drawn_arrays(system, tu, bu, task)
    package = samples_to_datapackage(system, a_data, b_data)

    lca = bw2calc.LCA({process_id(n - 1): 1.0}, data_objs=[package], use_arrays=True)
    lca.lci()
    lca.lcia()
    theirs, columns, data_match = [], [], []
    for k in range(task.iterations):
        if k:
            next(lca)
        theirs.append(float(lca.score))
        # A and B get an indexer each (bw2calc filters the package per matrix); both must
        # point at column k. Past the last column they would wrap around (index % columns).
        columns.append(
            tuple(int(mm.groups[0].indexer.index) for mm in (lca.technosphere_mm, lca.biosphere_mm))
        )
        data_match.append(
            np.array_equal(lca.technosphere_mm.input_data_vector(), a_data[:, k])
            and np.array_equal(lca.biosphere_mm.input_data_vector(), b_data[:, k])
        )
    direct = (
        _direct_score(system, a_data[:, 0], b_data[:, 0]),
        _direct_score(system, a_data[:, 1], b_data[:, 1]),
    )
    return SameSamples(
        pcfhub=ours,
        bw2calc=np.array(theirs),
        columns=columns,
        data_match=data_match,
        direct=direct,
        seconds=time.perf_counter() - start,
        peak_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def run_task(task: Task) -> Outcome:
    """Child-process entry: prepare inputs, time ``repeats`` runs, read the peak RSS."""
    warnings.filterwarnings("ignore")
    from pcfhub.calc.synthetic import synthetic_system

    if task.side == "bw2calc":
        import bw2calc  # noqa: F401  (import cost is outside the timing and the baseline)
        import bw_processing  # noqa: F401

    import_mib = _rss_mib()
    syn = synthetic_system(task.size, seed=task.seed)
    times: list[float] = []
    value: Any = None
    if task.side == "pcfhub":
        call, extra = _pcfhub_case(task, syn)
        for _ in range(task.repeats):
            value = None
            gc.collect()
            start = time.perf_counter()
            value = call()
            times.append(time.perf_counter() - start)
    else:
        bw_call, extra = _bw2calc_case(task, syn)
        for _ in range(task.repeats):
            value = None
            gc.collect()
            package = _bw2calc_inputs(task, syn)
            start = time.perf_counter()
            value = bw_call(package)
            times.append(time.perf_counter() - start)
            del package
    if task.case == "b" and task.side == "pcfhub":
        extra["core_size"] = syn.core_size
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Outcome(statistics.median(times), times, peak_mib, import_mib, value, extra)


def run_isolated(task: Task, entry: Callable[[Task], T] = run_task) -> T:
    """Run ``entry(task)`` in a fresh spawned interpreter."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(entry, task).result()


# --- comparison and report ------------------------------------------------------------------


def relative(a: float, b: float) -> float:
    """|a − b| / |b|."""
    return abs(a - b) / abs(b) if b else abs(a - b)


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


@dataclass
class SizeReport:
    """The Markdown section of one size, and whether (a) and (b) agreed."""

    markdown: str
    failures: list[str]


def same_samples_lines(size: int, same: SameSamples) -> tuple[list[str], list[str]]:
    """Markdown list items of the identical-sample check, and its failures."""
    first, second = same.direct_diffs
    steps = "yes" if same.columns == [(k, k) for k in range(same.bw2calc.size)] else "**no**"
    under = "under" if same.peak_mib < MEMORY_LIMIT_MIB else "over"
    lines = [
        f"- (c) on identical samples ({same.bw2calc.size} draws of pcfhub's sampler, same seed"
        f" as its `monte_carlo`): per-iteration max rel. Δ {same.max_diff:.1e} (pass ≤ "
        f"{SAME_SAMPLES_TOLERANCE:.0e}: {verdict(same.max_diff <= SAME_SAMPLES_TOLERANCE)}); "
        f"mean Δ {same.mean_diff:.1e}, median Δ {same.median_diff:.1e}.",
        f"- bw2calc iterated the array columns in order: indexers at column k at iteration k: "
        f"{steps}; A and B data = draw k at every iteration: "
        f"{'yes' if all(same.data_match) else '**no**'}; iterations 0 and 1 vs a direct "
        f"`spsolve` of draws 0 and 1: rel. Δ {first:.1e}, {second:.1e}.",
        f"- Identical-sample check (own process, untimed, {same.seconds:.1f} s): peak "
        f"{same.peak_mib:.0f} MiB ({under} 2 GB; the arrays of draws are not held to the "
        "memory target).",
    ]
    failures = []
    if not same.in_order:
        failures.append(f"{size} processes, (c) identical samples: bw2calc did not use draw k")
    if not same.max_diff <= SAME_SAMPLES_TOLERANCE:
        failures.append(
            f"{size} processes, (c) identical samples: max rel. Δ {same.max_diff:.2e} > "
            f"{SAME_SAMPLES_TOLERANCE:.0e}"
        )
    return lines, failures


def report_size(
    size: int, out: dict[tuple[str, str], Outcome], same: SameSamples, targets: bool
) -> SizeReport:
    """Table and notes for one size; targets evaluated when ``targets`` is true."""
    import numpy as np

    failures: list[str] = []
    p = {case: out[(case, "pcfhub")] for case in ("a", "b", "c", "d", "floor")}
    w = {case: out[(case, "bw2calc")] for case in ("a", "b", "c")}

    a_diff = relative(p["a"].value, w["a"].value)
    ours, theirs = np.asarray(p["b"].value), np.asarray(w["b"].value)
    b_diff = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))
    for case, diff in (("a", a_diff), ("b", b_diff)):
        if not diff <= TOLERANCE:
            failures.append(
                f"{size} processes, case ({case}): relative difference {diff:.2e} > {TOLERANCE:.0e}"
            )

    mc_p, mc_w = np.asarray(p["c"].value), np.asarray(w["c"].value)
    mean_diff = relative(mc_p.mean(), mc_w.mean())
    median_diff = relative(float(np.median(mc_p)), float(np.median(mc_w)))
    # Standard error of the difference of the two means, relative to bw2calc's mean.
    mean_se = float(np.sqrt(mc_p.var(ddof=1) / mc_p.size + mc_w.var(ddof=1) / mc_w.size))
    mean_se /= abs(mc_w.mean())
    d_vs_c = float(np.max(np.abs(np.asarray(p["d"].value) - mc_p)) / np.max(np.abs(mc_p)))

    same_lines, same_failures = same_samples_lines(size, same)
    failures += same_failures

    speed = {case: w[case].seconds / p[case].seconds for case in ("a", "b", "c")}
    floor_ratio = p["c"].seconds / p["floor"].seconds
    d_ratio = p["d"].seconds / p["c"].seconds
    peak_pcfhub = max(o.peak_mib for o in p.values())

    target = {
        "a": f"≥1.2× faster: {verdict(speed['a'] >= 1.2)}",
        "b": f"≥1.2× faster: {verdict(speed['b'] >= 1.2)}",
        "c": (
            f"≥5× faster: {verdict(speed['c'] >= 5)}; ≤3× floor: {verdict(floor_ratio <= 3)};"
            " mean/median within 1% (identical samples):"
            f" {verdict(max(same.mean_diff, same.median_diff) <= 0.01)}"
        ),
        "d": f"≤2× (c): {verdict(d_ratio <= 2)}",
    }
    agreement = {
        "a": f"score rel. Δ {a_diff:.1e}",
        "b": f"max rel. Δ {b_diff:.1e}",
        "c": (
            f"identical samples: max rel. Δ {same.max_diff:.1e}, mean Δ {same.mean_diff:.1e},"
            f" median Δ {same.median_diff:.1e}; independent runs (info): mean Δ"
            f" {mean_diff:.2%}, median Δ {median_diff:.2%}"
        ),
        "d": f"product's samples = (c)'s, max rel. Δ {d_vs_c:.1e}",
    }
    header = (
        "| Case | pcfhub s | bw2calc s | speed-up | pcfhub peak MiB | bw2calc peak MiB"
        " | agreement |"
    )
    rule = "|---|--:|--:|--:|--:|--:|---|"
    if targets:
        header += " target |"
        rule += "---|"
    rows = [header, rule]
    for case, label in CASES.items():
        theirs_out = w.get(case)
        cells = [
            label,
            f"{p[case].seconds:.3f}",
            f"{theirs_out.seconds:.3f}" if theirs_out else "n/a",
            f"{speed[case]:.2f}×" if theirs_out else "n/a",
            f"{p[case].peak_mib:.0f}",
            f"{theirs_out.peak_mib:.0f}" if theirs_out else "n/a",
            agreement[case],
        ]
        if targets:
            cells.append(target[case])
        rows.append("| " + " | ".join(cells) + " |")

    b_extra, c_extra = p["b"].extra, p["c"].extra
    lines = [
        f"### {size:,} processes",
        "",
        *rows,
        "",
        f"- Sampling floor for (c): {p['floor'].seconds:.3f} s; pcfhub (c) / floor = "
        f"{floor_ratio:.2f}×.",
        f"- (d) / (c) = {d_ratio:.2f}×.",
        f"- A: {b_extra['nnz']:,} non-zeros; core size {b_extra['core_size']:,}; "
        f"LU fill {b_extra['fill']:,} ({b_extra['solver']}); largest loops "
        f"{b_extra['loops']}.",
        f"- Monte Carlo: pcfhub {c_extra['sweeps']} sweeps, {c_extra['refactorized']} "
        f"iterations refactorized; bw2calc solver stages {w['c'].extra['solver_stats']}. "
        f"Independent runs: standard error of the difference of means {mean_se:.2%} of the "
        "mean, so their 1% comparison is information only.",
        *same_lines,
        f"- RSS after imports (included in the peaks): pcfhub {p['a'].import_mib:.0f} MiB, "
        f"bw2calc {w['a'].import_mib:.0f} MiB.",
    ]
    if targets:
        lines.append(
            f"- Peak memory < 2 GB ({MEMORY_LIMIT_MIB:.0f} MiB), largest pcfhub peak "
            f"{peak_pcfhub:.0f} MiB: {verdict(peak_pcfhub < MEMORY_LIMIT_MIB)}."
        )
    return SizeReport("\n".join(lines), failures)


def machine_facts() -> list[str]:
    """CPU, cores, Python, library versions and the solver, as Markdown list items."""
    from pcfhub.calc import SOLVER

    cpu = "unknown"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = []
    for name in ("numpy", "scipy", "bw2calc", "bw_processing", "pypardiso", "mkl"):
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} not installed")
    threads = [f"{v}={os.environ[v]}" for v in THREAD_VARIABLES if v in os.environ]
    return [
        f"- CPU: {cpu}; {os.cpu_count()} logical cores, {len(os.sched_getaffinity(0))} usable",
        f"- Python {platform.python_version()}; {', '.join(versions)}",
        f"- pcfhub solver: `{SOLVER}`",
        f"- Thread settings: {', '.join(threads) if threads else 'library defaults'}",
    ]


def notes(args: argparse.Namespace) -> list[str]:
    """What each timing includes."""
    return [
        f"Median of {args.repeats} run(s); Monte Carlo {args.iterations} iterations, lognormal "
        f"σ = {args.sigma} on every technosphere and biosphere entry; seed {args.seed}. Each "
        "(size, case, side) runs in a fresh process; peak = `ru_maxrss` of that process "
        "(imports included).",
        "",
        "Timed: pcfhub from index arrays (`ProductSystem.from_arrays`, factorization, the "
        "calculation); bw2calc from its datapackage (`LCA`/`FastScoresOnlyMultiLCA`/"
        "`IterativeLCA` construction, matrix building, solving, LCIA). Not timed: generating "
        "the synthetic system, the datapackage and the uncertainty arrays, and bw2calc's "
        "demands dict.",
        "",
        "- (a) pcfhub `from_arrays` + `factorize()` + `footprint()`; bw2calc `LCA` + `lci()` + "
        "`lcia()` (PARDISO).",
        "- (b) pcfhub `from_arrays` + `factorize()` + `process_footprints`; bw2calc "
        '`FastScoresOnlyMultiLCA(direction="adjoint").calculate()`, compared on '
        "`product_scores`.",
        "- (c) pcfhub `from_arrays` + `factorize()` + `monte_carlo()`; bw2calc `IterativeLCA("
        "use_distributions=True)` + `lci()` + `lcia()` (the first sample) + "
        f"{args.iterations - 1} × `next()`. Means and medians of the two runs compared as "
        "information only (their random numbers differ).",
        "- (c) identical samples (untimed, own process): pcfhub's draws (`sampled_chunks`, "
        "the same as `monte_carlo`'s for the seed) stored as bw_processing arrays, one column "
        "per iteration, in a `sequential` datapackage; bw2calc `LCA(use_arrays=True)` + "
        f"`lci()` + `lcia()` + {args.iterations - 1} × `next()` compared iteration by "
        "iteration with pcfhub's `monte_carlo()`. The 1% target for means and medians is "
        f"judged here; pass: every iteration within {SAME_SAMPLES_TOLERANCE:.0e}.",
        "- Sampling floor: pcfhub's sampler in chunks of 50 (normal draws, lognormal transform) "
        "plus, per iteration, summing the samples into the matrix data (`np.bincount` over "
        "precomputed slots) and building `csc_array` A and `csr_array` B. No solving.",
        "- (d) as (c) with `all_processes=True`; bw2calc has no equivalent.",
    ]


def section(args: argparse.Namespace, reports: list[SizeReport]) -> str:
    """The Markdown that goes between the markers."""
    this_run = "python bench/calc_vs_bw2calc.py " + shlex.join(sys.argv[1:])
    lines = [
        "## Calculation core vs bw2calc",
        "",
        f"Generated by `make bench`, which runs `{MAKE_COMMAND}`.",
    ]
    if this_run.strip() != MAKE_COMMAND:
        lines.append(f"This run: `{this_run.strip()}`.")
    lines += [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on:",
        "",
        *machine_facts(),
        "",
        *notes(args),
        "",
        f"Targets (issue), at {TARGET_SIZE:,} processes: (a) and (b) ≥1.2× faster than bw2calc; "
        "(c) ≥5× faster than `IterativeLCA`, within 3× of the sampling floor, means and "
        "medians within 1%; (d) ≤2× the time of (c); peak memory < 2 GB.",
    ]
    if TARGET_SIZE not in args.sizes:
        lines.append(
            f"{TARGET_SIZE:,} is not among the sizes, so targets are checked at "
            f"{max(args.sizes):,} processes."
        )
    for report in reports:
        lines += ["", report.markdown]
    return "\n".join(lines) + "\n"


def write_output(path: Path, body: str) -> None:
    """Replace the marked block of ``path``, or create the file (append if it lacks markers)."""
    block = f"{START_MARKER}\n{body}{END_MARKER}\n"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# Performance\n\nSpeed and memory of pcfhub's calculation core, measured against "
            "Brightway's bw2calc on the same matrices.\n\n" + block
        )
        return
    text = path.read_text()
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start != -1 and end > start:
        after = text[end + len(END_MARKER) :].removeprefix("\n")
        path.write_text(text[:start] + block + after)
    else:
        path.write_text(text.rstrip("\n") + "\n\n" + block)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per case; median reported")
    parser.add_argument("--iterations", type=int, default=200, help="Monte Carlo iterations")
    parser.add_argument("--sigma", type=float, default=0.2, help="lognormal σ of every entry")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, help="Markdown file to write the section into")
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: sizes 300 1000, 1 repeat, 20 iterations"
    )
    parser.add_argument(
        "--only",
        choices=["same-samples"],
        help="run only this check: same-samples = bw2calc on pcfhub's Monte Carlo draws (c)",
    )
    args = parser.parse_args(argv)
    if args.only and args.output is not None:
        parser.error("--only prints a partial report; it cannot be written with --output")
    if args.quick:
        args.sizes, args.repeats, args.iterations = [300, 1000], 1, 20
    if args.iterations < 2 or args.repeats < 1:
        parser.error("--iterations must be at least 2 and --repeats at least 1")
    return args


def run_same_samples_isolated(args: argparse.Namespace, size: int) -> SameSamples:
    """The identical-sample check at ``size`` in its own process; progress to stderr."""
    task = Task(size, "c", "both", 1, args.iterations, args.sigma, args.seed)
    same = run_isolated(task, run_same_samples)
    print(
        f"{size:>7,} same-samples {same.seconds:8.3f} s {same.peak_mib:7.0f} MiB  "
        f"(max rel. Δ {same.max_diff:.1e}, in order: {same.in_order})",
        file=sys.stderr,
        flush=True,
    )
    return same


def main_same_samples(args: argparse.Namespace) -> int:
    """``--only same-samples``: the identical-sample check at every size."""
    failures: list[str] = []
    for size in args.sizes:
        lines, size_failures = same_samples_lines(size, run_same_samples_isolated(args, size))
        print("\n".join([f"### {size:,} processes", "", *lines, ""]))
        failures += size_failures
    if failures:
        print("\n".join(failures), file=sys.stderr)
    return 1 if failures else 0


def main(argv: list[str] | None = None) -> int:
    """Run every case at every size, print the tables, write ``--output`` if given."""
    args = parse_args(argv)
    if args.only == "same-samples":
        return main_same_samples(args)
    target_size = TARGET_SIZE if TARGET_SIZE in args.sizes else max(args.sizes)
    reports = []
    for size in args.sizes:
        out: dict[tuple[str, str], Outcome] = {}
        for case, side in PLAN:
            task = Task(size, case, side, args.repeats, args.iterations, args.sigma, args.seed)
            outcome = out[(case, side)] = run_isolated(task)
            runs = ", ".join(f"{t:.3f}" for t in outcome.times)
            print(
                f"{size:>7,} {case:<5} {side:<7} {outcome.seconds:8.3f} s "
                f"{outcome.peak_mib:7.0f} MiB  (runs: {runs})",
                file=sys.stderr,
                flush=True,
            )
        same = run_same_samples_isolated(args, size)
        reports.append(report_size(size, out, same, targets=size == target_size))
    body = section(args, reports)
    print(body)
    if args.output is not None:
        write_output(args.output, body)
    failures = [f for report in reports for f in report.failures]
    if failures:
        print("pcfhub and bw2calc disagree:\n" + "\n".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
