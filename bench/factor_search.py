"""Factor search speed: p50/p95 of `search_factors` over N synthetic factors, on SQLite and on a
private PostgreSQL, against a baseline measured in the same run (the same queries answered by
LIKE scans of the token column instead of the full-text index).

    python bench/factor_search.py                       # 200,000 factors, both databases
    python bench/factor_search.py --factors 20000 --queries 100 --backends sqlite

The factors are synthetic (illustrative names built from a small vocabulary, random values);
they are inserted in bulk, without ledger entries, because the benchmark times search only.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from pydantic import SecretStr
from sqlalchemy import insert, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pcfhub.config import Settings
from pcfhub.factors import search as search_module
from pcfhub.factors.queries import search_factors
from pcfhub.factors.search import FactorQuery
from pcfhub.factors.store import FactorLineageRow, FactorVersionRow
from pcfhub.factors.text import token_text
from pcfhub.platform.context import Platform
from pcfhub.platform.model import OrganisationKind, Principal, Role

MATERIALS = [
    ("钢材", "steel"), ("铝材", "aluminium"), ("铜材", "copper"), ("水泥", "cement"),
    ("玻璃", "glass"), ("塑料", "plastic"), ("电池", "battery"), ("电芯", "battery cell"),
    ("电力", "electricity"), ("天然气", "natural gas"), ("柴油", "diesel"), ("纸张", "paper"),
    ("化肥", "fertiliser"), ("橡胶", "rubber"), ("硅片", "silicon wafer"), ("芯片", "chip"),
    ("电机", "electric motor"), ("轮胎", "tyre"), ("乙烯", "ethylene"), ("甲醇", "methanol"),
]  # fmt: skip
FORMS = [("热轧", "hot rolled"), ("冷轧", "cold rolled"), ("再生", "recycled"),
         ("原生", "primary"), ("精炼", "refined"), ("涂层", "coated"), ("", "")]  # fmt: skip
GEOGRAPHIES = ["GLO", "CN", "CN-GRID-SW", "CN-GRID-E", "CN-GRID-N", "CN-CQ", "CN-SC", "CN-JS",
               "CN-GD", "CN-ZJ", "DE", "FR", "US", "JP", "KR"]  # fmt: skip
UNITS = ["kg", "t", "kWh", "MJ", "m**3", "piece", "t*km"]
DIMENSIONS = {
    "kg": "[mass]", "t": "[mass]", "kWh": "[length] ** 2 * [mass] / [time] ** 2",
    "MJ": "[length] ** 2 * [mass] / [time] ** 2", "m**3": "[length] ** 3", "piece": "[piece]",
    "t*km": "[length] * [mass]",
}  # fmt: skip


def synthetic_rows(count: int, seed: int) -> Iterator[tuple[dict, dict, str]]:
    rng = random.Random(seed)
    for number in range(count):
        zh_material, en_material = rng.choice(MATERIALS)
        zh_form, en_form = rng.choice(FORMS)
        geography = rng.choice(GEOGRAPHIES)
        year = rng.randint(2015, 2025)
        unit = rng.choice(UNITS)
        name_zh = f"{zh_form}{zh_material}（示例 {number}）"
        name_en = f"{en_form} {en_material} (illustrative {number})".strip()
        key = f"bench.{number}"
        lineage_id, version_id = uuid.uuid4(), uuid.uuid4()
        tokens_text = token_text(name_zh, name_en, f"material.{en_material}", geography, "Bench")
        value = round(rng.random() * 10, 4)
        activity = f"material.{en_material.replace(' ', '_')}"
        data = {
            "lineage_key": key, "name_zh": name_zh, "name_en": name_en, "activity": activity,
            "value": value, "unit": unit, "gwp_set": "AR6", "boundary": "cradle_to_gate",
            "geography": geography, "reference_year": year,
            "source": {"publisher": "Bench", "document": "synthetic", "year": 2025},
            "licence": {"identifier": "CC0-1.0", "redistribution": "open"},
        }  # fmt: skip
        yield (
            {"id": lineage_id, "lineage_key": key, "contributor_id": None},
            {
                "id": version_id,
                "lineage_id": lineage_id,
                "version": 1,
                "status": "published",
                "data": data,
                "content_hash": "sha256:bench",
                "name_zh": name_zh,
                "name_en": name_en,
                "activity": activity,
                "geography": geography,
                "reference_year": year,
                "boundary": "cradle_to_gate",
                "unit": unit,
                "dimension": DIMENSIONS[unit],
                "value": value,
                "source_publisher": "Bench",
                "redistribution": "open",
                "search_text": tokens_text,
            },
            tokens_text,
        )


def load(platform: Platform, count: int, seed: int, progress: Callable[[int], None]) -> None:
    sqlite = platform.engine.dialect.name == "sqlite"
    batch: list[tuple[dict, dict, str]] = []

    def flush() -> None:
        with platform.engine.begin() as connection:
            connection.execute(insert(FactorLineageRow), [b[0] for b in batch])
            connection.execute(insert(FactorVersionRow), [b[1] for b in batch])
            if sqlite:
                connection.execute(
                    text(
                        "INSERT INTO factor_search (rowid, version_id, tokens) "
                        "SELECT rowid, :id, :tokens FROM factor_versions WHERE id = :id"
                    ),
                    [{"id": b[1]["id"].hex, "tokens": b[2]} for b in batch],
                )
        progress(len(batch))
        batch.clear()

    for row in synthetic_rows(count, seed):
        batch.append(row)
        if len(batch) == 5000:
            flush()
    if batch:
        flush()
    with platform.engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")


def queries(count: int, seed: int) -> list[FactorQuery]:
    rng = random.Random(seed + 1)
    made = []
    for _ in range(count):
        zh, en = rng.choice(MATERIALS)
        form_zh, form_en = rng.choice(FORMS)
        words = rng.choice([zh, en, f"{form_zh}{zh}", f"{form_en} {en}".strip(), zh[:2]])
        made.append(
            FactorQuery(
                q=words,
                geography=rng.choice([None, "CN-CQ", "CN", "DE"]),
                year=rng.choice([None, None, rng.randint(2015, 2025)]),
                unit=rng.choice([None, "kg", "kWh"]),
                limit=20,
            )
        )
    return made


def _like_matching(session, words):  # the baseline: scan the token column
    from sqlalchemy import and_

    return and_(*(FactorVersionRow.search_text.contains(word) for word in words))


@contextmanager
def baseline() -> Iterator[None]:
    with mock.patch.object(search_module, "_matching", _like_matching):
        yield


def time_queries(platform: Platform, made: list[FactorQuery]) -> list[float]:
    reader = Principal(
        organisation_id=uuid.UUID(int=0),
        organisation_kind=OrganisationKind.PLATFORM_OPERATOR,
        role=Role.VIEWER,
    )
    seconds = []
    with platform.unit_of_work(read_only=True) as uow:
        search_factors(uow, principal=reader, query=made[0])  # warm up
        for query in made:
            start = time.perf_counter()
            page = search_factors(uow, principal=reader, query=query)
            seconds.append(time.perf_counter() - start)
            assert page.count >= len(page.data)
    return seconds


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run_backend(name: str, url: str, data_dir: Path, args: argparse.Namespace) -> dict[str, float]:
    settings = Settings(
        environment="test", data_dir=data_dir, database_url=url, secret_key=SecretStr("b" * 40)
    )
    platform = Platform.from_settings(settings)
    platform.init()
    start = time.perf_counter()
    loaded = [0]

    def progress(n: int) -> None:
        loaded[0] += n
        print(f"\r  {name}: loaded {loaded[0]:,}/{args.factors:,}", end="", flush=True)

    load(platform, args.factors, args.seed, progress)
    print(f"  ({time.perf_counter() - start:.1f} s)")
    made = queries(args.queries, args.seed)
    indexed = time_queries(platform, made)
    with baseline():
        scanned = time_queries(platform, made[: max(20, args.queries // 5)])
    platform.dispose()
    return {
        "p50": percentile(indexed, 0.5) * 1000,
        "p95": percentile(indexed, 0.95) * 1000,
        "baseline_p50": percentile(scanned, 0.5) * 1000,
        "baseline_p95": percentile(scanned, 0.95) * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factors", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--output", type=Path, help="docs/performance.md to update")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        if "sqlite" in args.backends:
            path = Path(folder) / "bench.sqlite3"
            results["SQLite"] = run_backend("SQLite", f"sqlite:///{path}", Path(folder), args)
        if "postgresql" in args.backends:
            from tests.support.postgres import PostgresServer, create_database, database_url

            server = PostgresServer.start()
            try:
                create_database(server.url, "bench")
                results["PostgreSQL"] = run_backend(
                    "PostgreSQL", database_url(server.url, "bench"), Path(folder), args
                )
            finally:
                server.stop()
    lines = [
        f"Factor search over {args.factors:,} synthetic factors, {args.queries} queries "
        "(words in Chinese or English, with geography/year/unit filters, 20 per page, with the "
        "total count); baseline: the same queries answered by LIKE scans, same run.",
        "",
        "| database | p50 | p95 | baseline p50 | baseline p95 | p95 ratio | target p95 < 100 ms |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for name, r in results.items():
        met = "met" if r["p95"] < 100 else "NOT met"
        lines.append(
            f"| {name} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['baseline_p50']:.1f} ms | "
            f"{r['baseline_p95']:.1f} ms | {r['baseline_p95'] / r['p95']:.1f}× | {met} |"
        )
    report = "\n".join(lines)
    print(report)
    if args.output:
        start, end = "<!-- bench:factors:start -->", "<!-- bench:factors:end -->"
        content = args.output.read_text(encoding="utf-8")
        block = f"{start}\n{report}\n{end}"
        if start in content:
            before, rest = content.split(start, 1)
            content = before + block + rest.split(end, 1)[1]
        else:
            content = content.rstrip() + "\n\n## Factor search\n\n" + block + "\n"
        args.output.write_text(content, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
