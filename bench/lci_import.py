"""LCI import speed on the public U.S. LCI releases (read in place from the shared folder).

For each release: the time to read, link and solve it (every product's footprint, per gas),
and the whole import into a fresh SQLite platform (the factors published, the release and its
matrices stored, the ledger entry); then the time to recompute every footprint after one
exchange changes. The baseline, in the same run: bw2calc's ``FastScoresOnlyMultiLCA`` (adjoint,
PARDISO) computing every product's score from the same matrices.

    python bench/lci_import.py                 # the three releases
    python bench/lci_import.py --output docs/performance.md
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.shared import shared_path

from pcfhub.calc import ProductSystem
from pcfhub.config import Settings
from pcfhub.lci.footprints import compute_footprints
from pcfhub.lci.linking import link
from pcfhub.lci.service import READERS, ImportOptions, LciFormat, import_release
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo
from pcfhub.platform.model import OrganisationKind, Principal, Role

RELEASES = (
    ("USLCI FY17", "uslci_fy17_olca1_5_json_ld.zip", LciFormat.JSON_LD),
    ("USLCI FY18", "uslci_fy18_q1_ecospold2.zip", LciFormat.ECOSPOLD2),
    ("USLCI FY20", "uslci_fy20_q3_ecospold1.zip", LciFormat.ECOSPOLD1),
)
START, END = "<!-- bench:lci:start -->", "<!-- bench:lci:end -->"


def timed(call: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def bw2calc_every_product(system: ProductSystem) -> float:
    """Seconds for bw2calc to score every product of ``system`` (datapackage built untimed)."""
    import bw2calc

    from pcfhub.formats.brightway import IMPACT_CATEGORY, process_id, to_datapackage

    package = to_datapackage(system)
    demands = {str(i): {process_id(i): 1.0} for i in range(system.n_processes)}

    def run() -> None:
        multi = bw2calc.FastScoresOnlyMultiLCA(
            demands=demands,
            method_config={"impact_categories": [IMPACT_CATEGORY]},
            data_objs=[package],
            direction="adjoint",
        )
        multi.calculate()

    seconds, _ = timed(run)
    return seconds


def recompute_after_one_change(system: ProductSystem) -> float:
    """Change one technosphere exchange (+10 %), rebuild, refactorize and solve for every
    product, as a re-import of a corrected dataset would."""
    entries = system.technosphere_entries
    values = entries.values.copy()
    off_diagonal = np.flatnonzero(entries.rows != entries.cols)
    values[off_diagonal[len(off_diagonal) // 2]] *= 1.1

    def run() -> Any:
        changed = ProductSystem.from_arrays(
            technosphere=(entries.rows, entries.cols, values),
            biosphere=(system.biosphere_entries.rows, system.biosphere_entries.cols,
                       system.biosphere_entries.values),
            characterization=system.characterization,
            n_processes=system.n_processes,
            n_flows=system.n_flows,
        )  # fmt: skip
        return changed.factorize().process_footprints.scores

    seconds, _ = timed(run)
    return seconds


def run(repeats: int) -> list[dict[str, Any]]:
    rows = []
    for label, name, data_format in RELEASES:
        path = shared_path("data", "uslci", name)
        read_s = []
        link_s = []
        solve_s = []
        for _ in range(repeats):
            seconds, inventory = timed(lambda path=path, f=data_format: READERS[f](path))
            read_s.append(seconds)
            seconds, linked = timed(
                lambda inventory=inventory, name=name: link(inventory, file=name)
            )
            link_s.append(seconds)
            seconds, footprints = timed(
                lambda inventory=inventory, linked=linked: compute_footprints(inventory, linked)
            )
            solve_s.append(seconds)
        system = footprints.lca.system
        baseline = statistics.median(bw2calc_every_product(system) for _ in range(repeats))
        recompute = statistics.median(recompute_after_one_change(system) for _ in range(repeats))
        whole = import_whole(path, label)
        rows.append({
            "release": label, "format": str(data_format), "processes": len(inventory.processes),
            "exchanges": inventory.exchange_count, "products": len(linked.providers),
            "read": statistics.median(read_s), "link": statistics.median(link_s),
            "solve": statistics.median(solve_s), "baseline": baseline,
            "recompute": recompute, "whole": whole,
        })  # fmt: skip
        print(rows[-1], flush=True)
    return rows


def import_whole(path: Path, label: str) -> float:
    """Seconds for the whole import into a fresh SQLite platform, publishing included."""
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            environment="test", data_dir=Path(folder), database_url=f"sqlite:///{folder}/b.db",
            secret_key=SecretStr("bench-secret-" + "x" * 40),
        )  # fmt: skip
        platform = Platform.from_settings(settings)
        platform.init()
        operator = next(s for s in seed_demo(platform) if s.organisation == "operator")
        principal = Principal(organisation_id=operator.organisation_id,
                              organisation_kind=OrganisationKind.PLATFORM_OPERATOR,
                              role=Role.ADMIN, user_id=operator.user_id)  # fmt: skip
        database, release = label.split()
        options = ImportOptions(
            database=database, release=release, publisher="U.S. DOE/NREL", document=label,
            year=2020, licence="USLCI data use terms",
        )  # fmt: skip

        def work() -> None:
            with platform.unit_of_work() as uow:
                import_release(uow, principal=principal, path=path, options=options)
                uow.commit()

        seconds, _ = timed(work)
        platform.dispose()
    return seconds


def section(rows: list[dict[str, Any]]) -> str:
    lines = [
        START,
        "| release | format | processes | exchanges | products | read | link | solve, every "
        "product per gas | bw2calc every product | whole import (SQLite, factors published) | "
        "recompute after one exchange changes | target < 60 s |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in rows:
        reading = r["read"] + r["link"] + r["solve"]
        lines.append(
            f"| {r['release']} | {r['format']} | {r['processes']} | {r['exchanges']:,} | "
            f"{r['products']} | {r['read']:.2f} s | {r['link']:.2f} s | "
            f"{1000 * r['solve']:.0f} ms | "
            f"{1000 * r['baseline']:.0f} ms ({r['baseline'] / r['solve']:.1f}×) | "
            f"{r['whole']:.1f} s | {1000 * r['recompute']:.0f} ms | "
            f"{'met' if reading + r['whole'] < 60 else 'missed'} |"
        )
    lines.append(END)
    return "\n".join(lines)


def write_output(path: Path, body: str) -> None:
    text = path.read_text(encoding="utf-8")
    if START in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        text = before + body + after
    else:
        text = text.rstrip("\n") + "\n\n" + body + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    body = section(run(args.repeats))
    print(body)
    if args.output:
        write_output(args.output, body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
