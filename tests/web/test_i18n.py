"""The zh/en message catalogues against each other and against the templates that use them.

Templates are read through Jinja's own parser, so every ``t(...)`` call is found with its key
and its keyword arguments, however it is written.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from jinja2 import Environment, nodes

from pcfhub.catalogue import model as catalogue_model
from pcfhub.factors.model import Gas, Redistribution
from pcfhub.lci.model import AllocationMethod
from pcfhub.platform.jobs import JobStatus
from pcfhub.platform.model import OrganisationKind, Role
from pcfhub.web import i18n
from pcfhub.web.admin import DONE
from pcfhub.web.catalogue import DONE as CATALOGUE_DONE
from pcfhub.web.exchange import DONE as EXCHANGE_DONE

WEB = Path(i18n.__file__).parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"
TEMPLATE_FILES = sorted(TEMPLATES.glob("*.html"))

# Keys built at run time: 'kind.' ~ kind, 'role.' ~ role and 'admin.done.' ~ done in the
# templates, and the sign-in
# error key the view passes as `error` (web/routes.py).
DYNAMIC_PREFIXES = {
    "kind.": [kind.value for kind in OrganisationKind],
    "role.": [role.value for role in Role],
    "admin.done.": list(DONE),
    # the exchange page: what a form did, request directions and statuses
    "exchange.done.": list(EXCHANGE_DONE),
    "exchange.": ["inbound", "outbound"],
    "exchange.status_": ["pending", "fulfilled", "rejected"],
    # LCI pages: the import form's fields, a release's counts, job statuses, allocation
    "lci.field_": [
        "database",
        "release",
        "publisher",
        "document",
        "year",
        "url",
        "licence",
        "attribution",
        "redistribution",
        "allocation",
        "gwp_set",
    ],
    "lci.count_": [
        "processes",
        "flows",
        "exchanges",
        "products",
        "published",
        "unchanged",
        "not_published",
        "warnings",
        "cut_off_flows",
        "greenhouse_gas_flows",
    ],
    "lci.allocation_": [method.value for method in AllocationMethod],
    "job_status.": [status.value for status in JobStatus],
    "redistribution.": [choice.value for choice in Redistribution],
    # catalogue pages: what a publication did, and the names of a rule's coded values
    "catalogue.done_": list(CATALOGUE_DONE),
    "catalogue.management_": [m.value for m in catalogue_model.Management],
    "catalogue.unit_kind_": [k.value for k in catalogue_model.UnitKind],
    "catalogue.boundary_": [b.value for b in catalogue_model.Boundary],
    "catalogue.stage_": [s.value for s in catalogue_model.Stage],
    "catalogue.allocation_": [a.value for a in catalogue_model.AllocationMethod],
    "catalogue.market_based_": [m.value for m in catalogue_model.MarketBased],
    "catalogue.instrument_": [i.value for i in catalogue_model.Instrument],
    "catalogue.remainder_": ["residual", "grid"],
    # the model editor's choices (web/model_editor.py CHOICES) and the preview's variants
    # Accounting pages: stages (and "" for a factor's column), boundaries, exchange kinds…
    "accounting.stage_": [s.value for s in catalogue_model.Stage] + [""],
    "gas.": [gas.value for gas in Gas],
    "accounting.boundary_": [b.value for b in catalogue_model.Boundary],
    "accounting.headline_": ["location", "market"],
    "accounting.allocation_": ["physical", "economic"],
    "accounting.variant_": ["location", "market"],
    "accounting.data_": ["primary", "secondary"],
    "accounting.kind_": [
        "emission",
        "activity",
        "transport",
        "electricity",
        "process",
        "supplier",
        "model",
    ],
    "accounting.instrument_": [i.value for i in catalogue_model.Instrument],
    "accounting.severity_": ["error", "warning"],
    "accounting.part_": [
        "total",
        "fossil",
        "biogenic_emissions",
        "biogenic_removals",
        "land_use_change",
        "not_split",
    ],
    "editor.stage_": [s.value for s in catalogue_model.Stage],
    "editor.boundary_": [b.value for b in catalogue_model.Boundary],
    "editor.allocation_": ["physical", "economic"],
    "editor.instrument_": [i.value for i in catalogue_model.Instrument],
    "editor.kind_": [
        "emission",
        "activity",
        "transport",
        "electricity",
        "process",
        "supplier",
        "model",
    ],
    "editor.data_type_": ["primary", "secondary"],
    "editor.origin_": ["fossil", "biogenic", "land_use_change"],
    "editor.footprint_": [
        "total",
        "fossil",
        "biogenic_emission",
        "biogenic_removal",
        "land_use_change",
        "data_quality_rating",
        "primary_data_share",
    ],
    "editor.variant_": ["location", "market"],
    "editor.severity_": ["error", "warning"],
}
DYNAMIC_NAMES = {"error": ["sign_in.failed", "sign_in.locked"]}

# A language switch names each language in that language, whatever the page's language.
LANGUAGE_ENDONYMS = ("中文", "English")

# Attributes a person reads or hears: their text must come from t() too.
READABLE_ATTRIBUTE = re.compile(
    r"""\b(?:placeholder|title|alt|aria-label)\s*=\s*["']([^"'{]*)["']"""
)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
LETTER = re.compile(r"[^\W\d_]")


@cache
def _parse(path: Path) -> nodes.Template:
    return Environment().parse(path.read_text(encoding="utf-8"))


def _t_calls(path: Path) -> Iterator[nodes.Call]:
    for call in _parse(path).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name == "t":
            yield call


def _keys_of(call: nodes.Call) -> list[str]:
    """Every key a ``t(...)`` call can ask for; fails on a key built in an unknown way."""
    first = call.args[0]
    if isinstance(first, nodes.Const):
        return [first.value]
    if isinstance(first, nodes.Concat) and isinstance(first.nodes[0], nodes.Const):
        prefix = first.nodes[0].value
        assert prefix in DYNAMIC_PREFIXES, f"line {call.lineno}: unknown dynamic key {prefix!r}~…"
        return [prefix + value for value in DYNAMIC_PREFIXES[prefix]]
    if isinstance(first, nodes.Name):
        assert first.name in DYNAMIC_NAMES, f"line {call.lineno}: unknown key variable {first.name}"
        return DYNAMIC_NAMES[first.name]
    raise AssertionError(f"line {call.lineno}: a t() key this test cannot read: {first!r}")


def _placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def _visible_template_text(path: Path) -> str:
    """The template's literal text outside tags and outside {{ … }} / {% … %}."""
    data = "".join(node.data for node in _parse(path).find_all(nodes.TemplateData))
    text = re.sub(r"<[^<>]*>", " ", data)  # whole tags
    text = re.sub(r"^[^<]*>|<[^>]*$", " ", text, flags=re.MULTILINE)  # tags cut by {% … %}
    return " ".join(text.split())


def test_templates_are_found() -> None:
    names = {path.name for path in TEMPLATE_FILES}
    assert {"base.html", "error.html", "home.html", "ledger.html", "sign_in.html"} <= names


def test_catalogues_have_the_same_keys() -> None:
    assert i18n.missing_keys() == {language: set() for language in i18n.LANGUAGES}
    assert set(i18n.catalogue("zh")) == set(i18n.catalogue("en"))


def test_catalogues_are_not_empty_or_untranslated() -> None:
    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    assert all(text.strip() for text in [*zh.values(), *en.values()])
    # Every Chinese page title says something in Chinese.
    for key in ("sign_in.title", "home.title", "ledger.title", "nav.home", "error.title"):
        assert CJK.search(zh[key]), key
        assert not CJK.search(en[key]), key


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: path.name)
def test_every_key_used_by_a_template_exists_in_both_catalogues(path: Path) -> None:
    used = {key for call in _t_calls(path) for key in _keys_of(call)}
    for language in i18n.LANGUAGES:
        missing = used - set(i18n.catalogue(language))
        assert not missing, f"{path.name} uses keys missing from {language}.toml: {missing}"


def test_dynamic_keys_exist_in_both_catalogues() -> None:
    keys = [prefix + value for prefix, values in DYNAMIC_PREFIXES.items() for value in values]
    keys += [key for values in DYNAMIC_NAMES.values() for key in values]
    for language in i18n.LANGUAGES:
        assert not set(keys) - set(i18n.catalogue(language)), language


def test_sign_in_error_keys_are_the_ones_the_view_passes() -> None:
    routes = (WEB / "routes.py").read_text(encoding="utf-8")
    for key in DYNAMIC_NAMES["error"]:
        assert f'"{key}"' in routes


def test_placeholders_are_the_same_in_both_languages() -> None:
    zh, en = i18n.catalogue("zh"), i18n.catalogue("en")
    differ = {key: (_placeholders(zh[key]), _placeholders(en[key])) for key in zh}
    assert {key: pair for key, pair in differ.items() if pair[0] != pair[1]} == {}


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: path.name)
def test_templates_pass_exactly_the_placeholders_a_message_needs(path: Path) -> None:
    for call in _t_calls(path):
        passed = {keyword.key for keyword in call.kwargs}
        for key in _keys_of(call):
            for language in i18n.LANGUAGES:
                needed = _placeholders(i18n.catalogue(language)[key])
                assert passed == needed, f"{path.name}:{call.lineno} t({key!r}) [{language}]"


def test_translator_formats_and_falls_back_to_the_key() -> None:
    assert i18n.Translator("en")("home.welcome", name="Li Lei") == "Welcome, Li Lei"
    assert i18n.Translator("zh")("home.welcome", name="李雷") == "欢迎，李雷"
    assert i18n.Translator("en")("no.such.key") == "no.such.key"
    assert i18n.Translator("fr").language == "zh"


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda path: path.name)
def test_templates_hold_no_human_text_outside_t(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    for endonym in LANGUAGE_ENDONYMS:
        source = source.replace(f"'{endonym}'", "")
    assert not CJK.findall(source), f"{path.name}: Chinese text outside the catalogue"
    leftover = _visible_template_text(path)
    assert not LETTER.search(leftover), f"{path.name}: literal text {leftover!r}"
    data = "".join(node.data for node in _parse(path).find_all(nodes.TemplateData))
    literal = [value for value in READABLE_ATTRIBUTE.findall(data) if LETTER.search(value)]
    assert not literal, f"{path.name}: attributes with literal text {literal}"


@pytest.mark.parametrize(
    "path", [*TEMPLATE_FILES, *sorted(STATIC.glob("*.css"))], ids=lambda path: path.name
)
def test_no_external_hosts(path: Path) -> None:
    """Every asset is served by the platform itself: no CDN, no web fonts from elsewhere."""
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://", source), path.name
    assert not re.search(r"""(?:src|href|action)\s*=\s*["']//""", source), path.name
    assert not re.search(r"@import", source), path.name


def test_every_static_asset_referenced_exists() -> None:
    referenced = set()
    for path in [*TEMPLATE_FILES, *STATIC.glob("*.css")]:
        referenced |= set(re.findall(r"/static/([\w./-]+)", path.read_text(encoding="utf-8")))
    assert referenced >= {"pcfhub.css", "favicon.svg"}
    for name in referenced:
        asset = (STATIC / name).resolve()
        assert asset.is_relative_to(STATIC.resolve()), name
        assert asset.is_file(), name


def test_templates_use_no_inline_styles_or_scripts_the_policy_would_block() -> None:
    for template in TEMPLATE_FILES:
        text = template.read_text(encoding="utf-8")
        assert " style=" not in text, template.name
        assert "<script>" not in text, template.name
