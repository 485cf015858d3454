"""What a GB/T 24067 / ISO 14067 study report says, from a stored result (no I/O).

`build` turns a `ReportSource` (the stored result, the model version it was computed from,
the rule it was checked against, who commissioned it) into a `Report`: the sections the
standards ask for, already ordered and with the charts drawn. Every number comes from the
stored result or the model; nothing is computed again. `pcfhub.reports.render` makes HTML.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from pcfhub.accounting.calculate import AccountingResult, FactorUse
from pcfhub.accounting.model import ElectricityExchange, Exclusion, ProductModel
from pcfhub.accounting.results import Breakdown, GasLine, InputLine, SensitivityLine, Uncertainty
from pcfhub.catalogue.model import BOUNDARY_STAGES, Boundary, RuleData, Stage, UnitKind
from pcfhub.reports import charts
from pcfhub.reports.i18n import Texts

PARTS = ("total", "fossil", "biogenic_emissions", "biogenic_removals", "land_use_change")
INPUTS_LISTED = 40


@dataclass(frozen=True)
class ReportSource:
    """Everything a report is made from, as read from the database."""

    result_id: uuid.UUID
    result_hash: str
    computed_at: datetime
    result: AccountingResult
    model: ProductModel
    model_version: int
    organisation: str
    rule: RuleData | None = None
    purpose: str | None = None
    audience: str | None = None


@dataclass(frozen=True)
class Issue:
    """Who issued the report and when; None for a preview."""

    report_id: uuid.UUID
    issued_at: datetime
    issuer: str


@dataclass(frozen=True)
class ProcessRow:
    id: str
    name: str
    stage: str
    location: str
    output: str
    co2e_kg: float | None
    share: float | None


@dataclass(frozen=True)
class Allocation:
    process: str
    method: str
    share: float


@dataclass(frozen=True)
class Electricity:
    process: str
    amount: str
    grid: str
    residual: str
    instruments: list[str]


@dataclass(frozen=True)
class Report:
    """The report's content in one language."""

    language: str
    source: ReportSource
    issue: Issue | None
    product: str
    purpose: str
    audience: str
    unit_kind: str
    reference_flow: str
    boundary: str
    stages_covered: list[str]
    stages_outside: list[str]
    processes: list[ProcessRow]
    exclusions: list[Exclusion]
    excluded_total: float
    allocations: list[Allocation]
    factors: list[FactorUse]
    inputs: list[InputLine]
    electricity: list[Electricity]
    main: Breakdown
    variants: list[Breakdown]
    stages: list[tuple[str, float, float]]
    gases: list[GasLine]
    hot_spots: list[InputLine]
    uncertainty: Uncertainty | None
    sensitivity: list[SensitivityLine]
    assumptions: list[str]
    value_choices: list[str]
    limitations: list[str]
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def result(self) -> AccountingResult:
        return self.source.result


def _percent(value: float, digits: int = 1) -> str:
    return f"{100 * value:.{digits}f}%"


#: The English words of the accounting's gas labels (`accounting.columns.gas_label`).
_GAS_WORDS = re.compile(r"non-fossil|fossil|biogenic|emission|removal|gases not stated")


def _gas_name(texts: Texts, flow: str) -> str:
    """A gas label in the report's language: the formula stays, the words are translated."""
    keys = {"non-fossil": "non_fossil", "gases not stated": "unstated"}
    return _GAS_WORDS.sub(lambda m: texts("gas." + keys.get(m.group(), m.group())), flow)


def _stage_name(texts: Texts, stage: str) -> str:
    return texts(f"stage.{stage}") if stage else ""


def _processes(source: ReportSource, texts: Texts) -> list[ProcessRow]:
    computed = {p.process: p for p in source.result.result.by_process}
    return [
        ProcessRow(
            id=p.id,
            name=p.name,
            stage=_stage_name(texts, p.stage.value),
            location=p.location or "",
            output=f"{p.output.amount:g} {p.output.unit}",
            co2e_kg=computed[p.id].co2e_kg if p.id in computed else None,
            share=computed[p.id].share if p.id in computed else None,
        )
        for p in source.model.processes
    ]


def _electricity(model: ProductModel, texts: Texts) -> list[Electricity]:
    rows = []
    for process in model.processes:
        for exchange in process.exchanges:
            if not isinstance(exchange, ElectricityExchange):
                continue
            instruments = []
            for i in exchange.instruments:
                details = [
                    texts(f"electricity.{key}", value=value)
                    for key, value in (
                        ("identifier", i.identifier),
                        ("generator", i.generator),
                        ("vintage", i.vintage),
                        ("region", i.region),
                    )
                    if value is not None
                ]
                line = texts(
                    "electricity.instrument",
                    type=texts(f"electricity.{i.type.value}"),
                    amount=f"{i.amount:g}",
                    unit=i.unit,
                    factor=i.factor.key,
                )
                instruments.append(line + (" · " + ", ".join(details) if details else ""))
            rows.append(
                Electricity(
                    process=process.name,
                    amount=f"{exchange.amount:g} {exchange.unit}",
                    grid=exchange.grid.key,
                    residual=exchange.residual.key if exchange.residual else "—",
                    instruments=instruments,
                )
            )
    return rows


def _value_choices(source: ReportSource, texts: Texts) -> list[str]:
    result, rule = source.result, source.rule
    choices = [
        texts(
            "assumptions.choice_gwp",
            gwp_set=result.provenance.gwp_set,
            source=result.provenance.gwp_source,
        ),
        texts(f"assumptions.choice_electricity_{result.headline}"),
        texts("assumptions.choice_biogenic"),
    ]
    if rule is not None:
        order = " → ".join(texts(f"allocation.{m.value}") for m in rule.allocation_order)
        choices.append(texts("assumptions.choice_allocation", order=order))
    if source.model.exclusions:
        choices.append(texts("assumptions.choice_cutoff"))
    return choices


def _limitations(source: ReportSource, texts: Texts, outside: list[str]) -> list[str]:
    main = source.result.result
    secondary = sum(abs(line.share) for line in main.by_input if line.data_type == "secondary")
    magnitude = sum(abs(line.share) for line in main.by_input) or 1.0
    found = [
        texts("assumptions.limit_climate"),
        texts(
            "assumptions.limit_quality",
            rating=f"{main.data_quality_rating:.1f}",
            unrated=_percent(main.unrated_share, 0),
        ),
        texts("assumptions.limit_secondary", secondary=_percent(secondary / magnitude, 0)),
    ]
    if outside:
        found.append(
            texts(
                "assumptions.limit_boundary",
                boundary=texts(f"boundary.{source.model.product.boundary.value}"),
                stages=", ".join(outside),
            )
        )
    if main.not_split:
        found.append(texts("assumptions.limit_not_split", value=charts.number(main.not_split)))
    if source.result.uncertainty is None:
        found.append(texts("assumptions.limit_no_uncertainty"))
    if source.model.product.illustrative:
        found.append(texts("assumptions.limit_illustrative"))
    if source.rule is None:
        found.append(texts("assumptions.limit_no_rule"))
    return found


def _charts(report_main: Breakdown, source: ReportSource, texts: Texts) -> dict[str, str]:
    unit = texts("report.per", unit=source.result.declared_unit)
    total = report_main.total or 1.0
    drawn = {
        "stages": charts.bar_chart(
            [
                charts.Bar(_stage_name(texts, s), v, _percent(v / total))
                for s, v in report_main.by_stage.items()
            ],
            title=texts("results.stage_chart"),
            unit=unit,
            chart_id="chart-stages",
        ),
        "hot_spots": charts.bar_chart(
            [
                charts.Bar(line.label, line.co2e_kg, _percent(line.share))
                for line in source.result.hot_spots
            ],
            title=texts("results.hot_spot_chart"),
            unit=unit,
            label_share=0.42,
            chart_id="chart-hot-spots",
        ),
        "gases": charts.bar_chart(
            [
                charts.Bar(_gas_name(texts, g.flow), g.co2e_kg, _percent(g.co2e_kg / total))
                for g in report_main.by_gas
            ],
            title=texts("results.gas_chart"),
            unit=unit,
            chart_id="chart-gases",
        ),
    }
    spread = source.result.uncertainty
    if spread is not None:
        marks = {
            f"P{q}": spread.percentiles[q] for q in ("2.5", "50", "97.5") if q in spread.percentiles
        }
        drawn["histogram"] = charts.histogram(
            spread.histogram,
            title=texts("uncertainty.histogram"),
            unit=unit,
            marks=marks,
            chart_id="chart-histogram",
        )
        if spread.sensitivity:
            drawn["sensitivity"] = charts.bar_chart(
                [charts.Bar(s.name, 100 * s.share) for s in spread.sensitivity],
                title=texts("uncertainty.sensitivity_chart"),
                unit="%",
                label_share=0.5,
                chart_id="chart-sensitivity",
            )
    return drawn


def build(source: ReportSource, language: str, issue: Issue | None = None) -> Report:
    """The report of ``source`` in ``language`` (``zh`` or ``en``)."""
    texts = Texts(language)
    result, model = source.result, source.model
    product = model.product
    main = result.result
    name = product.name_zh if language == "zh" else product.name_en
    covered = BOUNDARY_STAGES[product.boundary]
    outside = [_stage_name(texts, s.value) for s in Stage if s not in covered]
    if source.rule is not None:
        unit_kind = source.rule.unit_kind
    elif product.boundary == Boundary.CRADLE_TO_GRAVE:
        unit_kind = UnitKind.FUNCTIONAL
    else:
        unit_kind = UnitKind.DECLARED
    reference = model.process(product.reference_process)
    names = {p.id: p.name for p in model.processes}
    allocations = [
        Allocation(process=names.get(key, key), method=texts(f"allocation.{method}"), share=share)
        for key, (method, share) in sorted(result.provenance.allocations.items())
    ]
    total = main.total or 1.0
    return Report(
        language=language,
        source=source,
        issue=issue,
        product=name,
        purpose=source.purpose
        or texts("goal.purpose_default", product=name, unit=result.declared_unit),
        audience=source.audience or texts("goal.audience_default"),
        unit_kind=unit_kind.value,
        reference_flow=texts(
            "unit.reference_flow_text",
            amount=f"{product.declared_unit.amount:g} {product.declared_unit.unit}",
            name=name,
            process=reference.name,
        ),
        boundary=texts(f"boundary.{product.boundary.value}"),
        stages_covered=[_stage_name(texts, s.value) for s in covered],
        stages_outside=outside,
        processes=_processes(source, texts),
        exclusions=list(model.exclusions),
        excluded_total=sum(e.mass_share for e in model.exclusions),
        allocations=allocations,
        factors=list(result.provenance.factors),
        inputs=sorted(main.by_input, key=lambda line: -abs(line.co2e_kg))[:INPUTS_LISTED],
        electricity=_electricity(model, texts),
        main=main,
        variants=[result.location_based, result.market_based],
        stages=[(_stage_name(texts, s), v, v / total) for s, v in main.by_stage.items()],
        gases=[g.model_copy(update={"flow": _gas_name(texts, g.flow)}) for g in main.by_gas],
        hot_spots=list(result.hot_spots),
        uncertainty=result.uncertainty,
        sensitivity=list(result.uncertainty.sensitivity) if result.uncertainty else [],
        assumptions=list(model.assumptions),
        value_choices=_value_choices(source, texts),
        limitations=_limitations(source, texts, outside),
        charts=_charts(main, source, texts),
    )
