"""`pcfhub report …`: issue, list, preview and verify study reports from the command line.

``issue``, ``list`` and ``preview`` act for an organisation (``--organisation`` slug) on the
configured database. ``verify`` checks a document a third party holds: against a running
platform (``--url``, the proof fetched over HTTP and checked here, link by link) or against
the configured database.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from pcfhub.accounting.commands import _organisation
from pcfhub.config import get_settings
from pcfhub.errors import PcfhubError
from pcfhub.platform.context import Platform
from pcfhub.reports import service
from pcfhub.reports.schemas import Format, Language, ReportCreate
from pcfhub.reports.verify import check

report = typer.Typer(no_args_is_help=True, help="Study reports (碳足迹报告): issue and verify.")
Organisation = Annotated[str, typer.Option(help="The organisation's slug.")]


def _fail(console: Console, error: PcfhubError) -> typer.Exit:
    console.print(f"[red]{error.title}:[/red] {error}")
    return typer.Exit(code=2)


@report.command("issue")
def issue_command(
    result_id: uuid.UUID,
    organisation: Organisation,
    language: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    out: Annotated[Path | None, typer.Option(help="Write both documents to this folder.")] = None,
) -> None:
    """Issue the report of a stored result (HTML and PDF; one ledger entry)."""
    console = Console()
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work() as uow:
            principal = _organisation(uow, organisation)
            data = ReportCreate.model_validate({"result_id": result_id, "language": language})
            issued = service.issue(
                uow, principal=principal, data=data, base_url=platform.settings.base_url
            )
            uow.commit()
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            with platform.unit_of_work(read_only=True) as uow:
                for kind in ("html", "pdf"):
                    found = service.document(
                        uow, principal=principal, report_id=issued.id, format=kind
                    )
                    (out / found.filename).write_bytes(found.content)
    except PcfhubError as error:
        raise _fail(console, error) from error
    finally:
        platform.dispose()
    console.print(f"Issued report {issued.id} (ledger entry {issued.ledger_index}).")
    console.print(f"HTML sha256 {issued.html_sha256}")
    console.print(f"PDF  sha256 {issued.pdf_sha256}")


@report.command("list")
def list_command(organisation: Organisation) -> None:
    """The organisation's issued reports, newest first."""
    console = Console()
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work(read_only=True) as uow:
            principal = _organisation(uow, organisation)
            found = service.list_reports(uow, principal=principal, limit=200)
    except PcfhubError as error:
        raise _fail(console, error) from error
    finally:
        platform.dispose()
    for r in found.data:
        console.print(f"{r.id}  {r.language}  {r.issued_at:%Y-%m-%d}  {r.title}")
    console.print(f"{found.count} reports.")


@report.command("preview")
def preview_command(
    result_id: uuid.UUID,
    organisation: Organisation,
    out: Annotated[Path, typer.Option(help="The file to write.")],
    language: Annotated[str, typer.Option(help="zh or en.")] = "zh",
) -> None:
    """Write a preview of a result's report (format from the file's suffix: .html or .pdf)."""
    console = Console()
    kind = out.suffix.lstrip(".").lower()
    if kind not in ("html", "pdf") or language not in ("zh", "en"):
        console.print("[red]Give --out FILE.html or FILE.pdf and --language zh or en.[/red]")
        raise typer.Exit(code=2)
    platform = Platform.from_settings(get_settings())
    try:
        with platform.unit_of_work(read_only=True) as uow:
            found = service.preview(
                uow,
                principal=_organisation(uow, organisation),
                result_id=result_id,
                language=_language(language),
                format=_format(kind),
                base_url=platform.settings.base_url,
            )
    except PcfhubError as error:
        raise _fail(console, error) from error
    finally:
        platform.dispose()
    out.write_bytes(found.content)
    console.print(f"Wrote {out} ({len(found.content):,} bytes).")


def _language(value: str) -> Language:
    return "en" if value == "en" else "zh"


def _format(value: str) -> Format:
    return "pdf" if value == "pdf" else "html"


def fetch_proof(url: str, sha256: str) -> tuple[dict[str, Any] | None, str]:
    """POST the hash to a platform's verify endpoint: (proof or None, what went wrong)."""
    request = urllib.request.Request(
        url.rstrip("/") + "/api/v1/reports/verify/hash",
        data=json.dumps({"sha256": sha256}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read()), ""
    except urllib.error.HTTPError as error:
        return None, f"{error.code}: {error.read().decode(errors='replace')[:300]}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(error)


@report.command("verify")
def verify_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    url: Annotated[
        str | None, typer.Option(help="A platform's address; default: the configured database.")
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(help="The platform's public key (PEM); default: the one it sends."),
    ] = None,
) -> None:
    """Verify an issued report (HTML or PDF): its hash, ledger entry, proof and signature."""
    console = Console()
    document = file.read_bytes()
    digest = hashlib.sha256(document).hexdigest()
    if url:
        proof, why = fetch_proof(url, digest)
    else:
        platform = Platform.from_settings(get_settings())
        try:
            with platform.unit_of_work(read_only=True) as uow:
                proof, why = service.verify(uow, sha256=digest).model_dump(mode="json"), ""
        except PcfhubError as error:
            proof, why = None, str(error)
        finally:
            platform.dispose()
    if proof is None:
        console.print(f"[red]NOT VERIFIED[/red] {file.name} (sha256 {digest}): {why}")
        raise typer.Exit(code=1)
    pem = key.read_bytes() if key else str(proof.get("public_key_pem", "")).encode()
    problems = check(document, proof, pem)
    if problems:
        console.print(f"[red]NOT VERIFIED[/red] {file.name} (sha256 {digest})")
        for problem in problems:
            console.print(f"  {problem}")
        raise typer.Exit(code=1)
    head = proof["tree_head"]
    console.print(
        f"[green]VERIFIED[/green] {file.name}: report {proof['report']['id']} "
        f"({proof['format']}, {proof['language']}), ledger entry {proof['ledger_index']} of "
        f"{head['tree_size']}, tree head signed by key {head['key_id'][:16]}…"
    )
    if key is None:
        console.print("The public key came with the proof; pass --key to check it against yours.")
