"""The compliance check: a model and its result against its product-category rule.

Every unmet requirement is one finding in plain words (English and Chinese), naming what the
rule asks and what the study has. ``error`` findings mean the study does not follow the rule;
``warning`` findings are worth a verifier's look.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from pcfhub.accounting.model import ElectricityExchange, ProductModel
from pcfhub.accounting.results import Breakdown
from pcfhub.catalogue.model import BOUNDARY_STAGES, MarketBased, RuleData, Stage
from pcfhub.errors import PcfhubError
from pcfhub.units import same_dimension

STAGE_ZH = {
    Stage.RAW_MATERIALS: "原材料获取",
    Stage.PRODUCTION: "生产",
    Stage.DISTRIBUTION: "分销",
    Stage.USE: "使用",
    Stage.END_OF_LIFE: "生命末期",
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    message_en: str
    message_zh: str


class Compliance(BaseModel):
    model_config = ConfigDict(frozen=True)

    rule_code: str | None
    rule_version: int | None
    complies: bool
    findings: list[Finding]


def _stage(stage: Stage) -> tuple[str, str]:
    return stage.value.replace("_", " "), STAGE_ZH[stage]


def check(
    model: ProductModel,
    result: Breakdown,
    rule: RuleData | None,
    *,
    rule_version: int | None = None,
) -> Compliance:
    """Every requirement of ``rule`` the study does not meet (none without a rule)."""
    findings: list[Finding] = []

    def add(code: str, severity: Severity, en: str, zh: str) -> None:
        findings.append(Finding(code=code, severity=severity, message_en=en, message_zh=zh))

    if rule is None:
        add(
            "no_rule",
            Severity.WARNING,
            "The product has no category rule: nothing was checked against a rule.",
            "该产品没有适用的产品种类规则，未进行规则符合性检查。",
        )
        return Compliance(rule_code=None, rule_version=None, complies=True, findings=findings)
    product = model.product
    if product.boundary != rule.boundary:
        add(
            "boundary",
            Severity.ERROR,
            f"The rule asks for a {rule.boundary.value.replace('_', '-')} boundary; the study "
            f"is {product.boundary.value.replace('_', '-')}.",
            f"规则要求系统边界为 {rule.boundary.value}，本研究为 {product.boundary.value}。",
        )
    try:
        unit_fits = same_dimension(product.declared_unit.unit, rule.unit)
    except PcfhubError:
        unit_fits = False
    if not unit_fits:
        add(
            "unit",
            Severity.ERROR,
            f"The rule's {rule.unit_kind.value} unit is {rule.unit} ({rule.unit_description}); "
            f"the study declares {product.declared_unit.amount:g} {product.declared_unit.unit}.",
            f"规则的{'声明' if rule.unit_kind.value == 'declared' else '功能'}单位为 {rule.unit}，"
            f"本研究为 {product.declared_unit.amount:g} {product.declared_unit.unit}。",
        )
    present = {p.stage for p in model.processes}
    for stage in rule.mandatory_stages:
        if stage not in present:
            en, zh = _stage(stage)
            add(
                f"stage.{stage.value}",
                Severity.ERROR,
                f"The rule requires the {en} stage; no process of the model belongs to it.",
                f"规则要求包含“{zh}”阶段，但模型中没有属于该阶段的过程。",
            )
    covered = BOUNDARY_STAGES[rule.boundary]
    for stage in sorted(present - set(covered), key=list(Stage).index):
        en, zh = _stage(stage)
        add(
            f"outside.{stage.value}",
            Severity.WARNING,
            f"The model has {en} processes, which lie outside the rule's boundary.",
            f"模型包含“{zh}”阶段的过程，超出了规则的系统边界。",
        )
    for exclusion in model.exclusions:
        if exclusion.mass_share > rule.cutoff.per_input:
            add(
                "cutoff.input",
                Severity.ERROR,
                f"'{exclusion.name}' was left out at {exclusion.mass_share:.1%} of the product's "
                f"mass; the rule allows leaving out inputs below {rule.cutoff.per_input:.1%} "
                "each.",
                f"被舍弃的“{exclusion.name}”占产品质量 {exclusion.mass_share:.1%}，规则只允许舍弃"
                f"单项低于 {rule.cutoff.per_input:.1%} 的输入。",
            )
    left_out = sum(e.mass_share for e in model.exclusions)
    if left_out > rule.cutoff.total:
        add(
            "cutoff.total",
            Severity.ERROR,
            f"Inputs left out add up to {left_out:.1%} of the product's mass; the rule allows "
            f"{rule.cutoff.total:.1%} in all.",
            f"被舍弃的输入合计占产品质量 {left_out:.1%}，规则允许的总和为 "
            f"{rule.cutoff.total:.1%}。",
        )
    if product.gwp_set != rule.gwp_set:
        add(
            "gwp_set",
            Severity.ERROR,
            f"The rule uses {rule.gwp_set} GWP100 values; the study uses {product.gwp_set}.",
            f"规则要求使用 {rule.gwp_set} 的 GWP100 值，本研究使用 {product.gwp_set}。",
        )
    if result.data_quality_rating > rule.max_data_quality_rating:
        add(
            "data_quality",
            Severity.ERROR,
            f"The data quality rating is {result.data_quality_rating:.1f} (1 best, 5 worst); "
            f"the rule asks for {rule.max_data_quality_rating:.1f} or better"
            + (
                f" ({result.unrated_share:.0%} of the footprint comes from unrated data, "
                "counted as 5)."
                if result.unrated_share > 0
                else "."
            ),
            f"数据质量评级为 {result.data_quality_rating:.1f}（1 最好，5 最差），规则要求不差于 "
            f"{rule.max_data_quality_rating:.1f}"
            + (
                f"（{result.unrated_share:.0%} 的碳足迹来自未评级数据，按 5 计）。"
                if result.unrated_share > 0
                else "。"
            ),
        )
    if result.primary_data_share < rule.min_primary_data_share:
        add(
            "primary_data",
            Severity.ERROR,
            f"Primary data make up {result.primary_data_share:.0%} of the footprint; the rule "
            f"asks for at least {rule.min_primary_data_share:.0%}.",
            f"初级数据占碳足迹的 {result.primary_data_share:.0%}，规则要求至少 "
            f"{rule.min_primary_data_share:.0%}。",
        )
    _electricity(model, rule, add)
    start, end = product.reference_period
    if start < rule.effective_from or (rule.effective_to and end > rule.effective_to):
        add(
            "rule_period",
            Severity.WARNING,
            f"The rule version is in force from {rule.effective_from}"
            + (f" to {rule.effective_to}" if rule.effective_to else "")
            + f"; the reference period is {start} to {end}.",
            f"该规则版本的生效期为 {rule.effective_from}"
            + (f" 至 {rule.effective_to}" if rule.effective_to else " 起")
            + f"，本研究的基准期为 {start} 至 {end}。",
        )
    complies = not any(f.severity == Severity.ERROR for f in findings)
    return Compliance(
        rule_code=rule.code, rule_version=rule_version, complies=complies, findings=findings
    )


def _electricity(model: ProductModel, rule: RuleData, add) -> None:  # type: ignore[no-untyped-def]
    instruments = [
        i
        for p in model.processes
        for e in p.exchanges
        if isinstance(e, ElectricityExchange)
        for i in e.instruments
    ]
    if rule.electricity.market_based == MarketBased.NOT_ALLOWED and instruments:
        add(
            "electricity.market",
            Severity.ERROR,
            "The rule does not allow market-based electricity, but the model claims "
            "contractual instruments; only the location-based result may be used.",
            "规则不允许采用基于市场的电力核算，但模型使用了绿证/绿电等合同工具；只能使用基于"
            "位置的结果。",
        )
    for kind in sorted({i.type for i in instruments} - set(rule.electricity.instruments)):
        add(
            f"electricity.{kind.value}",
            Severity.ERROR,
            f"The rule does not accept {kind.value.replace('_', ' ')} as an instrument.",
            f"规则不接受 {kind.value} 作为电力合同工具。",
        )
