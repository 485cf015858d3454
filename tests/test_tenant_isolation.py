"""Tenant isolation: an admin of organisation B calls every route of the OpenAPI document with
organisation A's object ids, and gets nothing of A's and changes nothing of A's.

The walk reads the routes from /api/v1/openapi.json, so a new route is walked as soon as it
exists; a route whose path or required query parameter has no value in the maps below fails
the test until someone says which of A's objects it takes.
"""

from __future__ import annotations

import json
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.catalogue.reference import load_seed
from pcfhub.exchange import connections as pact_connections
from pcfhub.exchange import events as pact_events
from pcfhub.exchange import received as pact_received
from pcfhub.exchange import requests as pact_requests
from pcfhub.exchange import service as exchange
from pcfhub.exchange.filters import criteria_from
from pcfhub.exchange.schemas import ConnectionCreate, PublishRequest
from pcfhub.exchange.store import PactConnectionRow
from pcfhub.factors import evidence as factor_evidence
from pcfhub.factors import service as factor_service
from pcfhub.factors.model import FactorData
from pcfhub.lci import service as lci_service
from pcfhub.lci.store import LciReleaseRow
from pcfhub.ledger import service as ledger
from pcfhub.platform import clients, grants, jobs, service
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.schemas import GrantCreate, MemberCreate
from pcfhub.reports import service as reports
from pcfhub.reports.schemas import ReportCreate
from tests.lci.builders import PackageBuilder
from tests.platform.conftest import (
    API,
    admin_principal,
    bearer,
    create_api_client,
    demo_by_slug,
    fetch_token,
    make_client,
    sign_in,
)

A, B = "cq-battery", "cq-laptop"  # two enterprises of the demo
THIRD = "verifier"  # receives A's grants

# Routes whose 2xx answers are fine for B: they hold nothing of A's, or only what the caller
# owns. Their bodies are still searched for A's ids and e-mails.
PUBLIC_BY_DESIGN = {
    # Signed tree heads, keys and proofs hold only hashes: anyone may check an entry with them.
    ("get", "/api/v1/ledger/head"),
    ("get", "/api/v1/ledger/heads/{tree_size}"),
    ("get", "/api/v1/ledger/keys"),
    ("get", "/api/v1/ledger/proof/inclusion"),
    ("get", "/api/v1/ledger/proof/consistency"),
    # Liveness and readiness say nothing about any organisation.
    ("get", "/healthz"),
    ("get", "/readyz"),
    # LCI releases are reference data the operator imported: open to everyone signed in.
    ("get", "/api/v1/lci/releases"),
    ("get", "/api/v1/lci/releases/{release_id}"),
    ("get", "/api/v1/lci/releases/{release_id}/products"),
    # The catalogue and its rules are published by regulators for everyone signed in.
    ("get", "/api/v1/catalogue/versions"),
    ("get", "/api/v1/catalogue/versions/{version}"),
    ("get", "/api/v1/catalogue/effective"),
    ("get", "/api/v1/catalogue/diff"),
    ("get", "/api/v1/catalogue/categories"),
    ("get", "/api/v1/catalogue/rules"),
    ("get", "/api/v1/catalogue/rules/{code}"),
    ("get", "/api/v1/catalogue/rules/{code}/versions"),
    ("get", "/api/v1/catalogue/rules/{code}/versions/{version}"),
    ("get", "/api/v1/catalogue/rules/{code}/diff"),
    # Whoever holds a report document may check it: the answer is its hashes and proofs.
    ("post", "/api/v1/reports/verify"),
    ("post", "/api/v1/reports/verify/hash"),
    # The JSON Schemas of the declaration documents hold no data.
    ("get", "/api/v1/declarations/battery/schema"),
    ("get", "/api/v1/declarations/cbam/schema"),
}
CALLER_SCOPED = {
    ("get", "/api/v1/me"),  # who the caller is
    ("get", "/api/v1/organisations"),  # the caller's own organisations
    ("get", "/api/v1/grants"),  # grants the caller's organisation gave or received
    ("post", "/api/v1/grants"),  # B grants the third organisation something of B's
    ("get", "/api/v1/ledger/entries"),  # the caller's organisation's entries
    ("post", "/api/v1/factors"),  # B drafts a factor of its own
    ("get", "/api/v1/factors"),  # published factors, and the caller's own drafts
    ("get", "/api/v1/factors/contributions"),  # the caller's own factor versions
    ("get", "/api/v1/factors/export"),  # what search shows, with the values the caller may see
    ("get", "/api/v1/jobs"),  # the caller's organisation's jobs
    ("get", "/api/v1/models"),  # the caller's organisation's product models
    ("post", "/api/v1/models"),  # B saves a model of its own
    ("post", "/api/v1/models/import"),  # …or imports one from a file
    ("post", "/api/v1/models/evaluate"),  # B previews a model it sends (nothing stored)
    ("get", "/api/v1/results"),  # the caller's organisation's results
    ("post", "/api/v1/recomputations"),  # recompute the caller's own stale results
    ("get", "/api/v1/reports"),  # the caller's organisation's issued reports
    ("get", "/api/v1/exchange/footprints"),  # the caller's organisation's footprints
    ("get", "/api/v1/exchange/connections"),  # …its connections
    ("post", "/api/v1/exchange/connections"),  # B connects a partner of its own
    ("get", "/api/v1/exchange/requests"),  # …its requests
    ("get", "/api/v1/exchange/received"),  # …what its partners sent it
    ("get", "/api/v1/exchange/shared"),  # footprints shared with the caller's organisation
    ("get", "/2/footprints"),  # PACT ListFootprints: what was shared with the caller
    ("get", "/3/footprints"),
}
ALLOWLIST = PUBLIC_BY_DESIGN | CALLER_SCOPED
# Routes of the platform operator's reviewers: refused to B, and so left out of the control
# (tests/factors/test_api.py reads them as a reviewer).
OPERATOR_ONLY = {("get", "/api/v1/factors/review-queue"), ("post", "/api/v1/lci/imports")}
# The PACT host API reads footprints shared with the caller, not its own (and only with a bearer
# token), so the control leaves it out; tests/exchange/test_host_api.py reads it as a partner.
PACT_RECIPIENT_ONLY = {
    ("get", "/2/footprints/{footprint_id}"),
    ("get", "/3/footprints/{footprint_id}"),
    ("get", "/2/footprints"),
    ("get", "/3/footprints"),
}
REFUSALS = {401, 403, 404, 422}


def v2_token_refusal(path: str, response: Any) -> bool:
    """PACT v2 answers a missing or invalid token with 400 BadRequest ("in all other cases",
    v2 §Actions), where v3 and the rest of the API answer 401."""
    if not path.startswith("/2/") or response.status_code != 400:
        return False
    body = response.json()
    return body.get("code") == "BadRequest" and "token" in body.get("message", "").lower()


# Plausible values for request body fields, by property name.
BODY_EXAMPLES: dict[str, Any] = {
    "email": "walker@example.org",
    "password": "walk-password-123",
    "display_name": "Walker",
    "name": "Walk",
    "slug": "walk-org",
    "kind": "enterprise",
    "role": "admin",
    "scopes": ["*:*"],
    "grantee": THIRD,
    "object_kind": "study",
    "object_id": "walk-study",
    "actions": ["read", "write", "admin"],
    "purpose": "Tenant isolation walk",
    "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
    "grant_type": "client_credentials",
    "scope": "*:*",
    # a factor record (FactorData) and a review decision
    "lineage_key": "walk.factor",
    "name_zh": "巡检因子",
    "name_en": "Walk factor",
    "activity": "walk.activity",
    "value": 1.0,
    "unit": "kg",
    "gwp_set": "AR6",
    "geography": "GLO",
    "reference_year": 2025,
    "source": {"publisher": "Walk", "document": "Walk", "year": 2025},
    "licence": {"identifier": "CC-BY-4.0", "redistribution": "attribution"},
    "classification": "HS:850760",
    "valid_from": "2025-01-01",
    "valid_to": "2025-12-31",
    "gases": {"co2_fossil": 1.0},
    "pedigree": {
        "reliability": 2,
        "completeness": 2,
        "temporal": 1,
        "geographical": 2,
        "technological": 2,
    },
    "uncertainty": {"distribution": "lognormal", "gsd": 1.2},
    "publish": False,
    "checklist": {},
    "reasons": "Tenant isolation walk",
    "amount": 1.0,  # an activity to apply a factor to
    "derived_from": {"database": "Walk LCI", "release": "1", "process_id": "walk-process"},
    # the form of an LCI import
    "database": "Walk LCI",
    "release": "1",
    "publisher": "Walk",
    "year": 2025,
    "redistribution": "open",
    # a catalogue version (CatalogueData) and an accounting rule (RuleData)
    "effective_from": "2026-01-01",
    "effective_to": None,
    "sources": {},
    "sectors": [
        {
            "code": "walk",
            "name_zh": "巡检行业",
            "name_en": "Walk sector",
            "categories": [
                {
                    "code": "walk.c",
                    "name_zh": "巡检品类",
                    "name_en": "Walk category",
                    "management": "voluntary",
                }
            ],
        }
    ],
    "code": "walk.rule",
    "cutoff": {"per_input": 0.01, "total": 0.05},
    "electricity": {"market_based": "allowed"},
    "max_data_quality_rating": 3.0,
    "min_primary_data_share": 0.0,
    "reference_value": None,
    # a product model (ProductModel) and a calculation
    "model": {
        "code": "walk-model",
        "product": {
            "name_en": "Walk product",
            "name_zh": "巡检产品",
            "declared_unit": {"amount": 1, "unit": "piece"},
            "boundary": "cradle_to_gate",
            "reference_period": ["2026-01-01", "2026-06-30"],
            "reference_process": "p",
        },
        "processes": [
            {
                "id": "p",
                "name": "Walk process",
                "stage": "production",
                "output": {"amount": 1, "unit": "piece"},
                "exchanges": [{"kind": "emission", "gas": "co2_fossil", "amount": 1.0}],
            }
        ],
    },
    "note": "walk",
    "iterations": 0,
    "seed": 0,
    # a report to issue (of the tenant's result, see BODY_FROM_TENANT) and a hash to verify
    "result_id": "00000000-0000-0000-0000-000000000000",
    "sha256": "0" * 64,
    # the fields of a battery declaration and of CBAM embedded emissions
    "public_study_url": "https://example.org/walk-study",
    "energy_delivered_kwh": 1000.0,
    "declaration_date": "2026-03-01",
    "reporting_period": "2026-Q1",
    "cn_code": "7606 12 99",
    "quantity_t": 1.0,
    "installation_country": "CN",
    "mass_per_declared_unit_t": 1.0,
    # PACT exchange: a footprint to publish, a partner to connect, a request, an answer, an import
    "company_ids": ["urn:pact:walk.example.org:supplier-id:1"],
    "product_ids": ["urn:pact:walk.example.org:product-id:1"],
    "cpc_code": "45220",
    "product_mass_kg": 1.0,
    "fossil_carbon_content_kg": 0.0,
    "biogenic_carbon_content_kg": 0.0,
    "exempted_emissions_percent": 0.0,
    "data_quality": None,
    "base_url": "https://walk.example.org/pact",
    "auth_base_url": "https://walk.example.org",
    "recipient": "00000000-0000-0000-0000-000000000000",
    "connection_id": "00000000-0000-0000-0000-000000000000",  # A's (BODY_FROM_TENANT)
    "footprint_ids": ["00000000-0000-0000-0000-000000000000"],
    "model_code": "walk-model",
    "process": "p",
}

# Body properties that name one of the tenant's objects: filled from its path values.
BODY_FROM_TENANT = {"result_id", "connection_id"}


@dataclass
class Tenant:
    """One organisation's objects: path and query parameter values, and what identifies it."""

    sign_in: DemoSignIn
    path_values: dict[str, str]
    query_values: dict[str, str]
    identifiers: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Identity:
    """B's admin calling with a bearer token or with a cookie session (CSRF header on writes)."""

    name: str
    client: TestClient
    headers: dict[str, str]
    write_headers: dict[str, str]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path


def _a_entry_index(platform: Platform, organisation_id: Any) -> int:
    with platform.unit_of_work() as uow:
        entries, _ = ledger.list_entries(uow.session, organisation_id=organisation_id, limit=1)
    return entries[0].index


def _lci_release(platform: Platform, operator: DemoSignIn) -> str:
    """The id of an LCI release the operator imported (imported on first use)."""
    with platform.unit_of_work(read_only=True) as uow:
        found = uow.session.scalar(select(LciReleaseRow.id))
    if found is not None:
        return str(found)
    package = (
        PackageBuilder(v1=True)
        .standard()
        .write_zip(Path(tempfile.mkdtemp(prefix="pcfhub-walk-")) / "walk.zip")
    )
    options = lci_service.ImportOptions(
        database="Walk LCI",
        release="1",
        publisher="Walk",
        document="Illustrative package",
        year=2025,
        licence="CC0-1.0",
        redistribution="open",
    )
    with platform.unit_of_work() as uow:
        release = lci_service.import_release(
            uow, principal=admin_principal(operator), path=package, options=options
        )
        uow.commit()
    return str(release.id)


def _secret_model(who: DemoSignIn) -> ProductModel:
    """A product model whose code, names and process are the organisation's know-how."""
    return ProductModel.model_validate(
        {
            "code": f"{who.organisation}-secret-bom",
            "product": {
                "name_en": f"{who.organisation} confidential product",
                "name_zh": "保密产品",
                "declared_unit": {"amount": 1, "unit": "piece"},
                "boundary": "cradle_to_gate",
                "reference_period": ["2026-01-01", "2026-06-30"],
                "reference_process": "secret",
            },
            "processes": [
                {
                    "id": "secret",
                    "name": f"{who.organisation} secret process recipe",
                    "stage": "production",
                    "output": {"amount": 1, "unit": "piece"},
                    "exchanges": [{"kind": "emission", "gas": "ch4_fossil", "amount": 0.25}],
                }
            ],
        }
    )


def _seed_catalogue(platform: Platform) -> None:
    """The shipped catalogue and rules (published by the platform; loaded on first use)."""
    with platform.unit_of_work() as uow:
        load_seed(uow)
        uow.commit()


def _tenant(
    platform: Platform, who: DemoSignIn, *, extra_members: bool, operator: DemoSignIn
) -> Tenant:
    """Give the organisation members, an API client, a grant to THIRD; collect its ids."""
    principal = admin_principal(who)
    organisation_id = who.organisation_id
    with platform.unit_of_work() as uow:
        if extra_members:
            for role in (Role.EDITOR, Role.VIEWER):
                service.add_member(
                    uow,
                    principal=principal,
                    organisation_id=organisation_id,
                    data=MemberCreate(
                        email=f"{who.organisation}-{role}@example.org",
                        display_name=f"{who.organisation} {role}",
                        password="correct horse battery",
                        role=role,
                    ),
                )
        grant = grants.create_grant(
            uow,
            principal=principal,
            data=GrantCreate(
                grantee=THIRD,
                object_kind="study",
                object_id=f"{who.organisation}-study-2026",
                purpose=f"Verification of {who.organisation}'s confidential study",
                expires_at=datetime.now(UTC) + timedelta(days=60),
            ),
        )
        draft = factor_service.create_draft(
            uow,
            principal=principal,
            data=FactorData(
                lineage_key=f"{who.organisation}.confidential.steel",
                name_zh="保密钢材因子",
                name_en=f"{who.organisation} confidential steel factor",
                activity="material.steel",
                value=1.8,  # illustrative
                unit="kg",
                gwp_set="AR6",
                boundary="cradle_to_gate",
                geography="CN-CQ",
                reference_year=2025,
                source={"publisher": who.organisation, "document": "internal", "year": 2025},
                licence={"identifier": "proprietary:internal", "redistribution": "none"},
            ),
        )
        proof = factor_evidence.add_evidence(
            uow,
            principal=principal,
            version_id=draft.id,
            filename=f"{who.organisation}-confidential-invoice.txt",
            content=b"supplier invoice, confidential\n",
        )
        job = jobs.create_job(
            uow, principal=principal, kind="walk", title=f"{who.organisation} confidential job"
        )
        model = accounting.save_model(uow, principal=principal, model=_secret_model(who))
        result = accounting.calculate(
            uow, principal=principal, model_id=model.model_id, iterations=0
        )
        issued = reports.issue(
            uow,
            principal=principal,
            data=ReportCreate(result_id=result.id, language="zh"),
            base_url=platform.settings.base_url,
        )
        footprint = exchange.publish(
            uow,
            principal=principal,
            data=PublishRequest(
                result_id=result.id,
                company_ids=[f"urn:pact:{who.organisation}.example:supplier-id:1"],
                product_ids=[f"urn:pact:{who.organisation}.example:product-id:secret"],
                product_mass_kg=1.0,
                fossil_carbon_content_kg=0.0,
                biogenic_carbon_content_kg=0.0,
                count_unsplit_as_fossil=True,
            ),
        )
        link = pact_connections.add_connection(
            uow,
            principal=principal,
            secret=platform.secret,
            data=ConnectionCreate(
                name=f"{who.organisation} confidential customer",
                base_url=f"https://{who.organisation}-customer.example/pact",
            ),
        )
        exchange.share(
            uow, principal=principal, footprint_id=footprint.id, recipient=link.partner_id
        )
        partner = Principal(
            organisation_id=link.partner_id,
            organisation_kind=OrganisationKind.EXTERNAL,
            role=Role.VIEWER,
            client_id=link.inbound_client_id,
            scopes=frozenset({"pact_event:write"}),
        )
        event = pact_events.request_created(
            3,
            "//walk.example/3/events",
            criteria_from({"productId": [f"urn:pact:{who.organisation}.example:product-id:x"]}),
            f"{who.organisation} confidential request",
        )
        pact_requests.receive(uow, principal=partner, incoming=pact_events.read(event, version=3))
        inbound = pact_requests.list_requests(uow, principal=principal)[0]
        link_row = uow.session.get(PactConnectionRow, link.id)
        sent_to_us = exchange.document_of(uow, footprint_id=footprint.id, version=3) | {
            "id": str(uuid.uuid4()),
            "companyName": f"{who.organisation} confidential supplier",
        }
        got = pact_received.store_received(uow, link_row, sent_to_us, version=3)
        uow.commit()
    api_client = create_api_client(platform, organisation_id, scopes=["*:read"], role=Role.VIEWER)
    _seed_catalogue(platform)
    with platform.unit_of_work() as uow:
        members = service.list_members(
            uow, principal=principal, organisation_id=organisation_id, limit=200
        ).data
        client_list = clients.list_api_clients(
            uow, principal=principal, organisation_id=organisation_id, limit=200
        ).data
        grant_list = grants.list_grants(uow, principal=principal, limit=200).data
        organisation = service.get_organisation(
            uow, principal=principal, organisation_id=organisation_id
        )
        size = ledger.size(uow.session)
    non_admin = next((m for m in members if m.role != Role.ADMIN), members[0])
    index = _a_entry_index(platform, organisation_id)
    tenant = Tenant(
        sign_in=who,
        path_values={
            "organisation_id": str(organisation_id),
            "membership_id": str(non_admin.id),
            "api_client_id": str(api_client.id),
            "grant_id": str(grant.id),
            "factor_version_id": str(draft.id),  # a private draft
            "evidence_id": str(proof.id),  # the draft's confidential evidence
            "index": str(index),  # one of the organisation's ledger entries
            "tree_size": str(size),  # heads are public: the current size
            "job_id": str(job.id),
            "release_id": _lci_release(platform, operator),  # reference data, for everyone
            "version": "1",  # catalogue and rule versions: reference data, for everyone
            "code": "cq.methanol",  # a seed rule
            "model_id": str(model.model_id),  # a confidential product model…
            "result_id": str(result.id),  # …and its result
            "report_id": str(issued.id),  # …and the report issued from it
            "footprint_id": str(footprint.id),  # …its PACT footprint
            "connection_id": str(link.id),  # a PACT partner's connection
            "recipient": str(link.partner_id),  # …the partner the footprint is shared with
            "request_id": str(inbound.id),  # a request the partner sent
            "received_id": str(got.id),  # a footprint the partner sent
        },
        query_values={
            "tree_size": str(size),
            "index": str(index),
            "first": "1",
            "second": str(size),
            "start": "2025-01-01",  # a usage statement's period…
            "end": "2026-12-31",
            "contributor": str(organisation_id),  # …of this organisation's factors
            "from": "1",  # two catalogue or rule versions to compare
            "to": "1",
            "model_id": str(model.model_id),  # results of the model
            "ids": [str(result.id), str(result.id)],  # results to compare
            "result_id": str(result.id),  # a result to preview the report of
        },
    )
    tenant.identifiers |= {str(organisation_id), organisation.slug, organisation.name}
    tenant.identifiers |= {str(draft.id), draft.lineage_key, str(proof.id), proof.filename}
    tenant.identifiers |= {str(job.id), job.title}
    tenant.identifiers |= {
        str(model.model_id),
        str(model.id),
        model.code,
        str(result.id),
        str(issued.id),
        model.model.product.name_en,
        model.model.processes[0].name,
        str(footprint.id),
        str(link.id),
        str(link.partner_id),
        link.name,
        str(link.inbound_client_id),
        str(inbound.id),
        inbound.comment,
        str(got.id),
        got.footprint_id,
        sent_to_us["companyName"],
    }
    for m in members:
        tenant.identifiers |= {str(m.id), str(m.user_id), m.email}
    for c in client_list:
        tenant.identifiers |= {str(c.id), c.client_id}
    for g in grant_list:
        tenant.identifiers |= {str(g.id), g.purpose}
    return tenant


def _snapshot(platform: Platform, tenant: Tenant) -> dict[str, Any]:
    """Everything of A's that B might change, read through the service layer."""
    principal = admin_principal(tenant.sign_in)
    organisation_id = tenant.sign_in.organisation_id
    with platform.unit_of_work() as uow:
        members = service.list_members(
            uow, principal=principal, organisation_id=organisation_id, limit=200
        )
        client_list = clients.list_api_clients(
            uow, principal=principal, organisation_id=organisation_id, limit=200
        )
        given = grants.list_grants(uow, principal=principal, limit=200)
        received = grants.list_grants(uow, principal=principal, received=True, limit=200)
        organisation = service.get_organisation(
            uow, principal=principal, organisation_id=organisation_id
        )
        _, entries = ledger.list_entries(uow.session, organisation_id=organisation_id)
        job_list = jobs.list_jobs(uow, principal=principal, limit=200)
    return {
        "jobs": [j.model_dump() for j in job_list.data],
        "organisation": organisation.model_dump(),
        "members": [m.model_dump() for m in members.data],
        "member_count": members.count,
        "clients": [c.model_dump() for c in client_list.data],
        "client_count": client_list.count,
        "grants": [g.model_dump() for g in given.data],
        "grant_count": given.count,
        "received": [g.model_dump() for g in received.data],
        "ledger_entries": entries,
    }


# The OpenAPI document


def _resolve(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = spec["components"]["schemas"][name]
    if "anyOf" in schema:  # optional fields: the first form that is not null
        return _resolve(next(s for s in schema["anyOf"] if s.get("type") != "null"), spec)
    return schema


def example_value(name: str, schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """A plausible value for one body property: BODY_EXAMPLES, else one its schema allows."""
    if name in BODY_EXAMPLES:
        return BODY_EXAMPLES[name]
    schema = _resolve(schema, spec)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "boolean":
        return False
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "array":
        return [example_value(name, schema["items"], spec)]
    plain = "pattern" not in schema or re.search(schema["pattern"], "walk") is not None
    if kind == "string" and plain and "format" not in schema:
        return "walk"  # any text the schema takes (a pattern that only bars control characters)
    pytest.fail(f"No example for body property {name!r} ({schema}); add one to BODY_EXAMPLES.")


def example_body(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    schema = _resolve(schema, spec)
    return {
        name: example_value(name, prop, spec) for name, prop in schema.get("properties", {}).items()
    }


def operations(spec: dict[str, Any]) -> list[Operation]:
    return sorted(
        (
            Operation(method, path, item)
            for path, methods in spec["paths"].items()
            for method, item in methods.items()
        ),
        key=lambda op: (op.path, op.method),
    )


def build_request(
    operation: Operation, tenant: Tenant, spec: dict[str, Any]
) -> tuple[str, dict[str, str], dict[str, Any]]:
    """URL, query and body arguments for calling ``operation`` on ``tenant``'s objects."""
    path = operation.path
    query: dict[str, str] = {}
    for parameter in operation.spec.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        if where == "path":
            assert name in tenant.path_values, (
                f"{operation.method.upper()} {operation.path}: path parameter {name!r} has no "
                "value in the walk; add the organisation's object of that kind to _tenant()."
            )
            path = path.replace("{" + name + "}", tenant.path_values[name])
        elif where == "query" and name in tenant.query_values:
            query[name] = tenant.query_values[name]
        elif where == "query" and parameter.get("required"):
            pytest.fail(
                f"{operation.method.upper()} {operation.path}: required query parameter "
                f"{name!r} has no value in the walk; add it to _tenant()."
            )
    assert "{" not in path, path
    body: dict[str, Any] = {}
    content = operation.spec.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body["json"] = example_body(content["application/json"]["schema"], spec)
        for name in BODY_FROM_TENANT & body["json"].keys():
            body["json"][name] = tenant.path_values[name]
    elif "application/x-www-form-urlencoded" in content:
        body["data"] = example_body(content["application/x-www-form-urlencoded"]["schema"], spec)
    elif "multipart/form-data" in content:  # an upload: a small, valid text file, and fields
        fields = example_body(content["multipart/form-data"]["schema"], spec)
        fields.pop("file", None)
        body["files"] = {"file": ("walk.txt", b"tenant isolation walk\n", "text/plain")}
        if fields:
            body["data"] = {
                k: v if isinstance(v, str) else json.dumps(v) for k, v in fields.items()
            }
    else:
        assert not content, f"{operation.path}: walk cannot send {sorted(content)}"
    return path, query, body


def is_schema_rejection(response: httpx2.Response) -> bool:
    """A 422 for the walk's own malformed request, which would test nothing."""
    if response.status_code != 422:
        return False
    try:
        return bool(response.json().get("errors"))
    except json.JSONDecodeError:
        return False


# Fixtures


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    return demo_by_slug(platform)


@pytest.fixture
def tenant_a(platform: Platform, demo: dict[str, DemoSignIn]) -> Tenant:
    return _tenant(platform, demo[A], extra_members=True, operator=demo["operator"])


@pytest.fixture
def tenant_b(platform: Platform, demo: dict[str, DemoSignIn], tenant_a: Tenant) -> Tenant:
    return _tenant(platform, demo[B], extra_members=True, operator=demo["operator"])


@pytest.fixture
def identities(platform: Platform, demo: dict[str, DemoSignIn], tenant_b: Tenant) -> list[Identity]:
    """B's admin, as an API client with every scope and as a signed-in user."""
    token_client = make_client(platform, raise_server_exceptions=False)
    b_client = create_api_client(platform, demo[B].organisation_id, scopes=["*:*"])
    token = bearer(fetch_token(token_client, b_client))
    cookie_client = make_client(platform, raise_server_exceptions=False)
    csrf = sign_in(cookie_client, demo[B].email, demo[B].password)
    return [
        Identity("bearer", token_client, token, token),
        Identity("cookie", cookie_client, {}, {"X-CSRF-Token": csrf}),
    ]


@pytest.fixture
def spec(platform: Platform) -> dict[str, Any]:
    response = make_client(platform).get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


# Tests


def test_the_allowlist_names_only_routes_that_exist(spec: dict[str, Any]) -> None:
    existing = {op.key for op in operations(spec)}
    assert existing >= ALLOWLIST | OPERATOR_ONLY, sorted(ALLOWLIST | OPERATOR_ONLY - existing)
    assert len(existing) >= 20  # the walk covers a real API, not an empty document


def test_the_walk_fails_on_a_route_it_cannot_fill(spec: dict[str, Any]) -> None:
    """A future route with a path parameter nobody mapped must stop the walk."""
    future = Operation(
        "get",
        "/api/v1/studies/{study_id}",
        {"parameters": [{"name": "study_id", "in": "path", "required": True}]},
    )
    tenant = Tenant(sign_in=None, path_values={}, query_values={})  # type: ignore[arg-type]
    with pytest.raises(AssertionError, match="study_id"):
        build_request(future, tenant, spec)


def test_b_reaches_none_of_as_objects_through_any_route(
    platform: Platform,
    spec: dict[str, Any],
    tenant_a: Tenant,
    tenant_b: Tenant,
    identities: list[Identity],
) -> None:
    before = _snapshot(platform, tenant_a)
    leaks = re.compile("|".join(re.escape(i) for i in sorted(tenant_a.identifiers)), re.I)
    failures: list[str] = []
    walked = 0
    for operation in operations(spec):
        url, query, body = build_request(operation, tenant_a, spec)
        for who in identities:
            safe = operation.method in ("get", "head", "options")
            headers = who.headers if safe else who.write_headers
            response = who.client.request(
                operation.method, url, params=query, headers=headers, **body
            )
            walked += 1
            call = f"{who.name} {operation.method.upper()} {url} {query or ''}"
            status = response.status_code
            if status >= 500:
                failures.append(f"{call}: {status} {response.text[:200]}")
            elif is_schema_rejection(response):
                failures.append(f"{call}: the walk's request is invalid: {response.text[:300]}")
            elif (
                operation.key not in ALLOWLIST
                and status not in REFUSALS
                and not v2_token_refusal(operation.path, response)
            ):
                failures.append(f"{call}: {status}, expected one of {sorted(REFUSALS)}")
            if 200 <= status < 300 and (found := leaks.search(response.text)):
                failures.append(f"{call}: {status} body shows A's {found.group()!r}")
    assert not failures, "\n".join(failures)
    assert walked == 2 * len(operations(spec))

    after = _snapshot(platform, tenant_a)
    assert after["member_count"] == before["member_count"]
    assert after["client_count"] == before["client_count"]
    assert after["grant_count"] == before["grant_count"]
    assert all(c["revoked_at"] is None for c in after["clients"])
    assert all(g["revoked_at"] is None for g in after["grants"])
    assert after == before  # nothing of A's changed, and no ledger entry about A was written


def test_b_can_reach_its_own_objects_through_the_same_routes(
    spec: dict[str, Any], tenant_b: Tenant, identities: list[Identity]
) -> None:
    """The control: the refusals above are isolation, not a caller that can do nothing."""
    for operation in operations(spec):
        if operation.method != "get" or operation.key in OPERATOR_ONLY | PACT_RECIPIENT_ONLY:
            continue
        url, query, _ = build_request(operation, tenant_b, spec)
        for who in identities:
            response = who.client.get(url, params=query, headers=who.headers)
            assert response.status_code == 200, (who.name, url, query, response.text)
            if operation.path == "/api/v1/me":
                assert response.json()["organisation_id"] == str(tenant_b.sign_in.organisation_id)
