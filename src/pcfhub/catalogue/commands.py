"""`pcfhub catalogue …`: list the catalogue's versions, show one (or the one in force on a day),
diff two, publish a catalogue or rules file, list the rules and show one rule's versions."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from pcfhub.catalogue import queries, service
from pcfhub.catalogue.formats import read_path
from pcfhub.catalogue.schemas import CatalogueDiff, FieldChange
from pcfhub.config import get_settings
from pcfhub.errors import InvalidInputError, PcfhubError
from pcfhub.platform.context import Platform
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.service import organisation_by_slug

catalogue = typer.Typer(
    help="The classification catalogue (分类管理名录) and accounting rules (产品种类规则).",
    no_args_is_help=True,
)
console = Console()
DayOption = Annotated[str | None, typer.Option("--day", help="YYYY-MM-DD (default: today).")]


def _reader() -> Principal:
    """The platform reading its own reference data."""
    return Principal(
        organisation_id=uuid.UUID(int=0),
        organisation_kind=OrganisationKind.PLATFORM_OPERATOR,
        role=Role.VIEWER,
    )


def _fail(error: PcfhubError) -> typer.Exit:
    console.print(f"[red]{error.title}:[/red] {error}", highlight=False, markup=False)
    return typer.Exit(code=2)


def _day(text: str | None) -> date:
    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        raise _fail(InvalidInputError(f"--day: {text!r} is not a date (YYYY-MM-DD).")) from None


def _platform() -> Platform:
    return Platform.from_settings(get_settings())


def _value(value: object) -> str:
    return "—" if value in (None, [], {}) else str(value)


def _changes(changes: list[FieldChange], indent: str = "    ") -> None:
    for change in changes:
        console.print(f"{indent}{change.field}: {_value(change.before)} → {_value(change.after)}",
                      highlight=False, markup=False)  # fmt: skip


@catalogue.command("list")
def list_versions() -> None:
    """Every catalogue version, newest first."""
    try:
        with _platform().unit_of_work(read_only=True) as uow:
            page = queries.list_catalogue_versions(uow, principal=_reader(), limit=200)
    except PcfhubError as error:
        raise _fail(error) from error
    table = Table("version", "effective from", "sectors", "categories", "title")
    for item in page.data:
        table.add_row(str(item.version), item.effective_from.isoformat(), str(item.sectors),
                      str(item.categories), f"{item.title_zh} / {item.title_en}")  # fmt: skip
    console.print(table)


@catalogue.command("show")
def show(
    version: Annotated[int | None, typer.Argument(help="A version number.")] = None,
    day: DayOption = None,
) -> None:
    """A catalogue version's sectors and categories (default: the one in force today)."""
    try:
        with _platform().unit_of_work(read_only=True) as uow:
            found = (
                queries.get_catalogue_version(uow, principal=_reader(), version=version)
                if version is not None
                else queries.effective_catalogue(uow, principal=_reader(), day=_day(day))
            )
    except PcfhubError as error:
        raise _fail(error) from error
    data = found.data
    console.print(f"Version {found.version}, in force from {found.effective_from}: "
                  f"{data.title_zh} / {data.title_en}", highlight=False)  # fmt: skip
    for sector in data.sectors:
        console.print(f"[bold]{sector.name_zh} / {sector.name_en}[/bold] ({sector.code})")
        for category in sector.categories:
            codes = " ".join(f"HS {code}" for code in category.hs_codes)
            codes += f" CPC {category.cpc_code}" if category.cpc_code else ""
            console.print(
                f"  {category.code}  {category.name_zh} / {category.name_en}  [{codes}]  "
                f"{category.management}  rule {category.rule_code or '—'}",
                highlight=False, markup=False,
            )  # fmt: skip


def print_diff(diff: CatalogueDiff) -> None:
    """A catalogue diff as lines of text."""
    console.print(f"Catalogue version {diff.from_version} → {diff.to_version}", highlight=False)
    if diff.empty:
        console.print("  no differences")
    _changes(diff.changes, "  ")
    for code in diff.sectors_added:
        console.print(f"  + sector {code}", highlight=False, markup=False)
    for code in diff.sectors_removed:
        console.print(f"  - sector {code}", highlight=False, markup=False)
    for item in diff.sectors_changed:
        console.print(f"  ~ sector {item.code}", highlight=False, markup=False)
        _changes(item.changes)
    for ref in diff.categories_added:
        console.print(f"  + {ref.code} {ref.name_zh} / {ref.name_en} (sector {ref.sector}, rule "
                      f"{ref.rule_code or '—'})", highlight=False, markup=False)  # fmt: skip
    for ref in diff.categories_removed:
        console.print(f"  - {ref.code} {ref.name_zh} / {ref.name_en} (sector {ref.sector})",
                      highlight=False, markup=False)  # fmt: skip
    for item in diff.categories_changed:
        console.print(f"  ~ {item.code} {item.name_zh} / {item.name_en}", highlight=False,
                      markup=False)  # fmt: skip
        _changes(item.changes)
    if diff.rules_added or diff.rules_removed:
        added, removed = ", ".join(diff.rules_added), ", ".join(diff.rules_removed)
        console.print(f"  rules now named: {added or '—'}; no longer named: {removed or '—'}",
                      highlight=False)  # fmt: skip


@catalogue.command("diff")
def diff(
    older: Annotated[int, typer.Argument(help="The version to compare from.")],
    newer: Annotated[int, typer.Argument(help="The version to compare to.")],
) -> None:
    """What changed between two catalogue versions."""
    try:
        with _platform().unit_of_work(read_only=True) as uow:
            found = queries.catalogue_diff(
                uow, principal=_reader(), from_version=older, to_version=newer
            )
    except PcfhubError as error:
        raise _fail(error) from error
    print_diff(found)


@catalogue.command("import")
def import_file(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="A catalogue or rules file (TOML, YAML, JSON)."
        ),
    ],
    organisation: Annotated[
        str | None,
        typer.Option(
            help="Slug of the regulator or operator publishing it (default: the platform itself)."
        ),
    ] = None,
) -> None:
    """Publish a catalogue version, or new versions of the rules in a file; all or nothing."""
    platform = _platform()
    try:
        document = read_path(file)  # the whole file is checked before anything is written
        with platform.unit_of_work() as uow:
            principal = None
            if organisation:
                org = organisation_by_slug(uow.session, organisation)
                principal = Principal(organisation_id=org.id,
                                      organisation_kind=OrganisationKind(org.kind),
                                      role=Role.EDITOR)  # fmt: skip
            published = service.publish_document(
                uow, principal=principal, document=document, system=principal is None,
                file=file.name,
            )  # fmt: skip
            uow.commit()
    except PcfhubError as error:
        raise _fail(error) from error
    if published.catalogue is not None:
        console.print(f"Catalogue version {published.catalogue.version} published, in force from "
                      f"{published.catalogue.effective_from}.", highlight=False)  # fmt: skip
    for rule in published.rules:
        console.print(f"Rule {rule.code} version {rule.version} published, in force from "
                      f"{rule.effective_from}.", highlight=False)  # fmt: skip
    if published.unchanged:
        console.print(f"Unchanged: {', '.join(published.unchanged)}.", highlight=False)


@catalogue.command("rules")
def rules(day: DayOption = None) -> None:
    """Every accounting rule, its latest version and the one in force on the day."""
    try:
        with _platform().unit_of_work(read_only=True) as uow:
            page = queries.list_rules(uow, principal=_reader(), day=_day(day))
    except PcfhubError as error:
        raise _fail(error) from error
    table = Table("code", "in force", "latest", "standard", "title")
    for item in page.data:
        title = item.title_zh + (" (illustrative)" if item.illustrative else "")
        table.add_row(item.code, _value(item.effective_version), str(item.latest_version),
                      _value(item.standard), title)  # fmt: skip
    console.print(table)


@catalogue.command("rule")
def rule(
    code: Annotated[str, typer.Argument(help="The rule's code, e.g. cq.methanol.")],
    day: DayOption = None,
) -> None:
    """A rule's versions, the one in force on the day, and what changed between versions."""
    try:
        with _platform().unit_of_work(read_only=True) as uow:
            versions = queries.rule_versions(uow, principal=_reader(), code=code)
            diffs = [
                queries.rule_diff(uow, principal=_reader(), code=code,
                                  from_version=v.version - 1, to_version=v.version)
                for v in versions[1:]
            ]  # fmt: skip
            try:
                current = queries.effective_rule(uow, principal=_reader(), code=code,
                                                 day=_day(day)).version  # fmt: skip
            except PcfhubError:
                current = None
    except PcfhubError as error:
        raise _fail(error) from error
    for version in versions:
        data = version.data
        mark = "  ← in force" if version.version == current else ""
        console.print(
            f"v{version.version} from {version.effective_from} to "
            f"{_value(version.effective_to)}: {data.title_zh} / {data.title_en}{mark}",
            highlight=False, markup=False,
        )  # fmt: skip
        console.print(
            f"    {data.unit_kind} unit {data.unit} ({data.unit_description}); {data.boundary}; "
            f"stages {', '.join(data.mandatory_stages)}; standard {_value(data.standard)}; "
            f"{'illustrative' if data.illustrative else 'official'}",
            highlight=False, markup=False,
        )  # fmt: skip
    for found in diffs:
        console.print(f"changes v{found.from_version} → v{found.to_version}:", highlight=False)
        _changes(found.changes)
