"""`pcfhub declare battery|cbam RESULT_ID`: a stored result's declaration as files.

The declarant's fields come from a JSON or YAML file (``--fields``) and/or ``--set name=value``
(repeatable; it wins over the file). The command acts as an admin of ``--organisation``, which
must own the result or hold a grant to it; ``--issue`` records the written file in the ledger.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from pydantic import ValidationError
from rich.console import Console

from pcfhub.accounting.commands import _organisation
from pcfhub.config import get_settings
from pcfhub.errors import PcfhubError
from pcfhub.platform.context import Platform
from pcfhub.reports import declarations_service as service
from pcfhub.reports.battery import BatteryRequest
from pcfhub.reports.cbam import CbamRequest

declare = typer.Typer(
    no_args_is_help=True, help="Export declarations: EU battery carbon footprint, CBAM (声明)."
)
console = Console()
FieldsOption = Annotated[
    Path | None, typer.Option("--fields", help="The declarant's fields, JSON or YAML.")
]
SetOption = Annotated[
    list[str] | None, typer.Option("--set", help="One field as name=value (repeatable).")
]
OrganisationOption = Annotated[
    str, typer.Option(help="The organisation (slug) acting: the result's owner or grantee.")
]
IssueOption = Annotated[bool, typer.Option("--issue", help="Record the file in the ledger.")]


def _fields(path: Path | None, pairs: list[str] | None) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if path is not None:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict):
            raise typer.BadParameter(f"{path}: expected a mapping of field names to values.")
        fields.update(loaded)
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"--set {pair!r}: write name=value.")
        fields[name.strip()] = value
    return fields


def _run(
    kind: service.Kind,
    result_id: uuid.UUID,
    organisation: str,
    fields: dict[str, Any],
    outputs: dict[str, Path | None],
    issue: bool,
) -> None:
    if not any(outputs.values()):
        console.print(f"[red]Give --json and/or --{'pdf' if kind == 'battery' else 'xlsx'}.[/red]")
        raise typer.Exit(code=2)
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work() as uow:
            principal = _organisation(uow, organisation)
            if kind == "battery":
                declaration: Any = service.battery(
                    uow, principal=principal, result_id=result_id,
                    request=BatteryRequest.model_validate(fields),
                )  # fmt: skip
            else:
                declaration = service.cbam(
                    uow, principal=principal, result_id=result_id,
                    request=CbamRequest.model_validate(fields),
                )  # fmt: skip
            for format, path in outputs.items():
                if path is None:
                    continue
                document = service.render(kind, declaration, format)
                if issue:
                    document = service.issue(
                        uow, principal=principal, kind=kind, result_id=result_id,
                        document=document,
                    )  # fmt: skip
                path.write_bytes(document.content)
                where = f", ledger entry {document.issued.ledger_index}" if document.issued else ""
                console.print(f"Wrote {path} (SHA-256 {document.sha256}{where}).")
            uow.commit()
    except ValidationError as error:
        for problem in error.errors():
            console.print(f"[red]{'.'.join(map(str, problem['loc']))}:[/red] {problem['msg']}")
        raise typer.Exit(code=2) from error
    except PcfhubError as error:
        console.print(f"[red]{error.title}:[/red] {error}")
        raise typer.Exit(code=2) from error
    finally:
        platform.dispose()


@declare.command("battery")
def battery_command(
    result_id: uuid.UUID,
    organisation: OrganisationOption,
    fields: FieldsOption = None,
    set_: SetOption = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the JSON here.")] = None,
    pdf_file: Annotated[Path | None, typer.Option("--pdf", help="Write the PDF here.")] = None,
    issue: IssueOption = False,
) -> None:
    """The EU Battery Regulation (2023/1542) Art. 7 declaration of a stored result."""
    outputs = {"json": json_file, "pdf": pdf_file}
    _run("battery", result_id, organisation, _fields(fields, set_), outputs, issue)


@declare.command("cbam")
def cbam_command(
    result_id: uuid.UUID,
    organisation: OrganisationOption,
    fields: FieldsOption = None,
    set_: SetOption = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the JSON here.")] = None,
    xlsx_file: Annotated[Path | None, typer.Option("--xlsx", help="Write the xlsx here.")] = None,
    issue: IssueOption = False,
) -> None:
    """The CBAM embedded emissions (per tonne of good) of a stored result."""
    outputs = {"json": json_file, "xlsx": xlsx_file}
    _run("cbam", result_id, organisation, _fields(fields, set_), outputs, issue)
