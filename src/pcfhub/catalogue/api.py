"""Catalogue API: everyone signed in reads the catalogue's versions, the version in force on a
day, categories by code, HS code or name, and the rules with their versions and diffs;
regulators and the platform operator publish new versions (JSON, or a TOML/YAML/JSON file)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, UploadFile

from pcfhub.catalogue import queries, service
from pcfhub.catalogue.formats import MAX_DOCUMENT_BYTES, read_document
from pcfhub.catalogue.model import CatalogueData, RuleData
from pcfhub.catalogue.schemas import (
    CatalogueDiff,
    CatalogueVersionPublic,
    CatalogueVersionSummary,
    CategoryHit,
    PublishedFile,
    RuleDiff,
    RuleSummary,
    RuleVersionPublic,
)
from pcfhub.platform.api import Limit, Offset
from pcfhub.platform.deps import PrincipalDep, UowDep
from pcfhub.platform.schemas import Page

router = APIRouter(prefix="/catalogue", tags=["catalogue"])

FromVersion = Annotated[int, Query(alias="from", ge=1, le=1_000_000)]
ToVersion = Annotated[int, Query(alias="to", ge=1, le=1_000_000)]
Day = Annotated[date | None, Query(description="a day, YYYY-MM-DD; today when left out")]
CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
RuleCode = Annotated[str, Query(pattern=CODE)]
CodePath = Annotated[str, Path(pattern=CODE, description="a rule code, e.g. cq.methanol")]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]


@router.get("/versions")
def list_versions(
    uow: UowDep, principal: PrincipalDep, offset: Offset = 0, limit: Limit = 50
) -> Page[CatalogueVersionSummary]:
    """Every catalogue version, newest first."""
    return queries.list_catalogue_versions(uow, principal=principal, offset=offset, limit=limit)


@router.post("/versions", status_code=201)
def publish_version(
    data: CatalogueData, uow: UowDep, principal: PrincipalDep
) -> CatalogueVersionPublic:
    """Publish the next catalogue version; regulators and the platform operator only."""
    published = service.publish_catalogue(uow, principal=principal, data=data)
    uow.commit()
    return published


@router.get("/versions/{version}")
def get_version(
    version: VersionPath, uow: UowDep, principal: PrincipalDep
) -> CatalogueVersionPublic:
    return queries.get_catalogue_version(uow, principal=principal, version=version)


@router.get("/effective")
def effective(uow: UowDep, principal: PrincipalDep, day: Day = None) -> CatalogueVersionPublic:
    """The catalogue version in force on ``day``."""
    return queries.effective_catalogue(uow, principal=principal, day=day or date.today())


@router.get("/diff")
def diff(
    uow: UowDep, principal: PrincipalDep, from_version: FromVersion, to_version: ToVersion
) -> CatalogueDiff:
    """What changed between two catalogue versions: sectors and categories added, removed and
    changed field by field, and the rules named."""
    return queries.catalogue_diff(
        uow, principal=principal, from_version=from_version, to_version=to_version
    )


@router.get("/categories")
def categories(
    uow: UowDep,
    principal: PrincipalDep,
    q: Annotated[str | None, Query(max_length=200, description="words of the name or code")] = None,
    code: RuleCode | None = None,
    hs: Annotated[str | None, Query(max_length=14, description="an HS code, e.g. 8507.60")] = None,
    day: Day = None,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> Page[CategoryHit]:
    """Categories of the catalogue in force on ``day`` (or of ``version``) by code, HS code or
    words."""
    return queries.find_categories(
        uow, principal=principal, q=q, code=code, hs=hs, day=day, version=version,
        offset=offset, limit=limit,
    )  # fmt: skip


@router.get("/rules")
def list_rules(uow: UowDep, principal: PrincipalDep, day: Day = None) -> Page[RuleSummary]:
    """Every accounting rule, with its latest version and the one in force on ``day``."""
    return queries.list_rules(uow, principal=principal, day=day)


@router.post("/rules", status_code=201)
def publish_rule(data: RuleData, uow: UowDep, principal: PrincipalDep) -> RuleVersionPublic:
    """Publish the next version of the rule ``data.code``; regulators and the operator only."""
    published = service.publish_rule(uow, principal=principal, data=data)
    uow.commit()
    return published


@router.get("/rules/{code}")
def get_rule(
    code: CodePath, uow: UowDep, principal: PrincipalDep, day: Day = None
) -> RuleVersionPublic:
    """The version of the rule in force on ``day``."""
    return queries.effective_rule(uow, principal=principal, code=code, day=day or date.today())


@router.get("/rules/{code}/versions")
def rule_versions(code: CodePath, uow: UowDep, principal: PrincipalDep) -> list[RuleVersionPublic]:
    """Every version of a rule, oldest first."""
    return queries.rule_versions(uow, principal=principal, code=code)


@router.get("/rules/{code}/versions/{version}")
def rule_version(
    code: CodePath, version: VersionPath, uow: UowDep, principal: PrincipalDep
) -> RuleVersionPublic:
    return queries.get_rule_version(uow, principal=principal, code=code, version=version)


@router.get("/rules/{code}/diff")
def rule_diff(
    code: CodePath,
    uow: UowDep,
    principal: PrincipalDep,
    from_version: FromVersion,
    to_version: ToVersion,
) -> RuleDiff:
    """What changed in a rule between two of its versions, field by field."""
    return queries.rule_diff(
        uow, principal=principal, code=code, from_version=from_version, to_version=to_version
    )


@router.post("/files", status_code=201)
def publish_file(
    file: Annotated[UploadFile, File(description="a catalogue or rules file: TOML, YAML or JSON")],
    uow: UowDep,
    principal: PrincipalDep,
) -> PublishedFile:
    """Publish a catalogue version, or new versions of the rules a file holds; the whole file
    is checked first and nothing is written unless all of it is right."""
    service.authorize_maintainer(uow, principal)  # refuse before reading someone's upload
    content = file.file.read(MAX_DOCUMENT_BYTES + 1)
    name = file.filename or "upload"
    published = service.publish_document(
        uow, principal=principal, document=read_document(name, content), file=name
    )
    uow.commit()
    return published
