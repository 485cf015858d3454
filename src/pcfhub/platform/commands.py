"""Platform commands of the CLI: init, serve, demo, users add, verify."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from pcfhub.catalogue.reference import SeedReport, load_seed
from pcfhub.config import get_settings
from pcfhub.errors import InvalidInputError, PcfhubError
from pcfhub.factors.reference import import_shipped_reference
from pcfhub.ledger.audit import audit_log
from pcfhub.ledger.service import size as ledger_size
from pcfhub.ledger.signing import SignedTreeHead, key_id, load_public_key
from pcfhub.platform import service
from pcfhub.platform.context import Platform
from pcfhub.platform.model import Role
from pcfhub.platform.schemas import MemberCreate

users = typer.Typer(help="Manage users.", no_args_is_help=True)


def _platform() -> Platform:
    return Platform.from_settings(get_settings())


def _fail(console: Console, error: PcfhubError) -> typer.Exit:
    console.print(f"[red]{error.title}:[/red] {error}")
    return typer.Exit(code=2)


def _read_heads(path: Path) -> list[SignedTreeHead]:
    """Signed tree heads from a JSON file (a head or a list of heads) or JSON lines."""
    text = path.read_text(encoding="utf-8")
    try:
        try:
            data = json.loads(text)
            items = data if isinstance(data, list) else [data]
        except ValueError:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
        return [SignedTreeHead.from_json(item) for item in items]
    except ValueError as error:
        raise InvalidInputError(f"{path}: not a JSON signed tree head ({error}).") from None


def _load_catalogue_seed(platform: Platform) -> SeedReport:
    """The shipped seed catalogue and rules, published when none is yet (safe to repeat)."""
    with platform.unit_of_work() as uow:
        seed = load_seed(uow)
        uow.commit()
    return seed


def _print_seed(console: Console, seed: SeedReport) -> None:
    if seed.catalogue_version is not None or seed.rules_published:
        console.print(
            f"Seed catalogue 名录: {seed.rules_published} rule(s) published"
            + (f", catalogue version {seed.catalogue_version}" if seed.catalogue_version else "")
            + " (pcfhub catalogue show)."
        )


def add_platform_commands(app: typer.Typer, console: Console) -> None:
    """Register the platform's commands on the ``pcfhub`` app."""

    @app.command()
    def init() -> None:
        """Create or migrate the database, generate the ledger's signing key, and publish the
        shipped seed catalogue and rules when none is published yet."""
        platform = _platform()
        try:
            report = platform.init()
            seed = _load_catalogue_seed(platform)
        except PcfhubError as error:
            raise _fail(console, error) from error
        action = "created" if report.revision_before is None else "migrated"
        console.print(f"Database {report.database}: {action} to revision {report.revision}.")
        made = "generated" if report.created_key else "kept"
        console.print(f"Ledger key {report.key_file} ({made}); key id {report.key_id}")
        _print_seed(console, seed)

    @app.command()
    def demo() -> None:
        """Create demo organisations of every kind and print their sign-ins (development)."""
        settings = get_settings()
        if settings.environment == "production":
            console.print("[red]Refusing to create demo users in production.[/red]")
            raise typer.Exit(code=2)
        from pcfhub.accounting.demo import load_demo_models
        from pcfhub.platform.demo import seed_demo

        platform = _platform()
        try:
            platform.init()
            sign_ins = seed_demo(platform)
            with platform.unit_of_work() as uow:
                factor_reports = import_shipped_reference(uow)
                uow.commit()
            seed = _load_catalogue_seed(platform)
            models = load_demo_models(platform)
        except PcfhubError as error:
            raise _fail(console, error) from error
        published = sum(r.published + r.unchanged for r in factor_reports)
        console.print(f"Reference emission factors: {published} published (pcfhub factors show …)")
        _print_seed(console, seed)
        loaded = [m for m in models if m.loaded]
        console.print(
            f"Illustrative product models 示例产品模型: {len(loaded)} loaded and accounted, "
            f"{len(models) - len(loaded)} already there (see /models)"
        )
        console.print(
            "Demo sign-ins 演示账户 (organisations are fictitious; passwords change every run):"
        )
        width = max(len(s.email) for s in sign_ins)
        for sign_in in sign_ins:
            console.print(
                f"  {sign_in.email:<{width}}  {sign_in.password}  ({sign_in.kind})",
                soft_wrap=True,
                highlight=False,
            )

    @app.command()
    def serve(
        host: Annotated[str | None, typer.Option(help="Address (default: settings).")] = None,
        port: Annotated[int | None, typer.Option(help="Port (default: settings).")] = None,
    ) -> None:
        """Serve the web UI and the API (HTTPS when PCFHUB_TLS_CERTFILE/KEYFILE are set)."""
        import uvicorn

        from pcfhub.platform.app import create_app

        settings = get_settings()
        app_ = create_app(settings)
        scheme = "https" if settings.tls else "http"
        shown_host = host or settings.host
        shown_port = port or settings.port
        console.print(f"pcfhub serving at {scheme}://{shown_host}:{shown_port}/  (Ctrl+C stops)")
        uvicorn.run(
            app_,
            host=shown_host,
            port=shown_port,
            ssl_certfile=str(settings.tls_certfile) if settings.tls_certfile else None,
            ssl_keyfile=str(settings.tls_keyfile) if settings.tls_keyfile else None,
            proxy_headers=True,
            log_level="info",
        )

    @app.command()
    def verify(
        trusted_key: Annotated[
            list[Path] | None,
            typer.Option(
                exists=True,
                dir_okay=False,
                help="PEM public key to check the heads against (repeatable); default: the "
                "keys published in the database.",
            ),
        ] = None,
        expect_head: Annotated[
            list[Path] | None,
            typer.Option(
                exists=True,
                dir_okay=False,
                help="JSON file of a signed tree head saved earlier (GET /api/v1/ledger/head), "
                "or JSON lines of several; the log must still contain each (repeatable).",
            ),
        ] = None,
    ) -> None:
        """Recompute the ledger from the database; name the first entry that does not match."""
        platform = _platform()
        trusted = None
        if trusted_key:
            try:
                keys = [load_public_key(path.read_bytes()) for path in trusted_key]
            except PcfhubError as error:
                raise _fail(console, error) from error
            trusted = {key_id(key): key for key in keys}
        try:
            witnessed = [head for path in expect_head or [] for head in _read_heads(path)]
        except PcfhubError as error:
            raise _fail(console, error) from error
        with platform.unit_of_work() as uow:
            total = ledger_size(uow.session)
            with Progress(
                TextColumn("verifying ledger"), BarColumn(), MofNCompleteColumn(), console=console
            ) as bar:
                task = bar.add_task("verify", total=total)
                report = audit_log(
                    uow.session,
                    trusted_keys=trusted,
                    witnessed_heads=witnessed,
                    progress=lambda n: bar.advance(task, n),
                )
        console.print(
            f"{report.entries} entries, {report.tree_heads} signed tree heads, "
            f"{report.objects} objects checked."
        )
        if report.ok:
            console.print("[green]Ledger verified: every entry, head and object matches.[/green]")
            return
        first = report.first_problem
        assert first is not None
        console.print(f"[red]Ledger does NOT verify.[/red] First problem: {first.message}")
        for problem in report.problems[1:20]:
            console.print(f"  also: {problem.message}")
        raise typer.Exit(code=1)

    app.add_typer(users, name="users")


@users.command("add")
def users_add(
    email: Annotated[str, typer.Argument(help="The user's e-mail (sign-in name).")],
    organisation: Annotated[str, typer.Option(help="Slug of the organisation.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[Role, typer.Option(help="Role in the organisation.")] = Role.VIEWER,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="PCFHUB_NEW_USER_PASSWORD",
            help="Password of a new user (prompted when not given).",
        ),
    ] = None,
) -> None:
    """Add a user to an organisation (creating the user when the e-mail is new)."""
    console = Console()
    platform = _platform()
    try:
        with platform.unit_of_work() as uow:
            org = service.organisation_by_slug(uow.session, organisation)
            if password is None:
                password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
            member = service.add_member(
                uow,
                principal=None,
                organisation_id=org.id,
                data=MemberCreate(email=email, display_name=name, password=password, role=role),
                system=True,
            )
            uow.commit()
    except PcfhubError as error:
        raise _fail(console, error) from error
    except ValueError as error:  # pydantic validation of e-mail, name, password
        console.print(f"[red]Invalid input:[/red] {error}")
        raise typer.Exit(code=2) from error
    console.print(f"{member.email} is now {member.role} of {organisation}.")
