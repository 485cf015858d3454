"""The official PACT conformance test cases ("ACT"), replayed against pcfhub's host API.

Sources (WBCSD, read for this module; the cases are re-expressed here, not copied):

- ``wbcsd/pact-conformance-service`` (the current ACT): ``src/test-cases/v3-tests.ts`` and
  ``src/test-cases/v2-tests.ts`` (what each case sends and asserts),
  ``src/test-cases/v3-test-cases.ts`` and ``src/test-cases/v2-test-cases.ts`` (which cases are
  mandatory for V3.0 and V2.3, the filter parameters taken from the first footprint),
  ``src/test-cases/test-helpers.ts``, ``src/utils/authUtils.ts``,
  ``src/utils/fetchFootprints.ts``, ``docs/v3-test-cases-expected-results.md``;
- ``wbcsd/pact-conformance-test-service`` (its predecessor):
  ``docs/v3-test-cases-expected-results.md``, ``docs/v2-test-cases-expected-results.md``,
  ``src/test-cases/v3-test-cases.ts``, ``src/test-cases/v2-test-cases.ts``.

Every mandatory case is one test (cases shared by both versions are parametrized ``v2.3`` and
``v3.0``), on SQLite. Not replayed: the cases mandatory for no version (18 and
19, OpenID Connect against a separate identity provider; v2 20, ``$filter``). Test Case 0 is
the ACT's initialisation, which every run must pass before the others count.

How the run is set up, as the ACT expects of a solution under test: the supplier publishes two
footprints and shares them with a connection whose partner is the tester (its base URL is the
tester's webhook, its PACT version the one tested); the tester holds the connection's client
id and secret. pcfhub is configured as a public https host (``PCFHUB_PUBLIC_URL``), and the
TestClient speaks to it at that address.

Where the ACT waits for pcfhub to call the tester back (13: RequestFulfilled, 14.B:
RequestRejected), the supplier answers the request on its API, as a person would during an ACT
run, and the test checks the event pcfhub queued in ``pact_outbox`` for the tester's
connection: its type, ``requestEventId``, official schema, the footprints' product ids, and
where it goes (the connection's base URL and version: ``{base_url}/{version}/events``).

The non-HTTPS cases (9, 10, 11, 17) send the same request with ``https`` replaced by ``http``;
in-process the request reaches the application with the ``http`` scheme, as it would through a
listener or proxy that does not end TLS.
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pcfhub.config import Settings
from pcfhub.exchange.store import PactConnectionRow, PactOutboxRow
from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal
from tests.exchange.conftest import stored_result
from tests.exchange.test_host_api import (
    API,
    errors,
    publish,
    schema_errors,
    token_headers,
)

# The ACT speaks only HTTP to the host: one database is enough (tests/exchange/test_host_api.py
# runs the host API on both).
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BASE = "https://testserver"  # the host under test, as the tester addresses it
WEBHOOK = "https://conformance.example.org/webhook"  # the tester's callback base URL
PUBLISHED_PF_ID = "3a6c14a7-4deb-498a-b5ea-16ce2535b576"  # the id the ACT announces
CLOUDEVENTS = "application/cloudevents+json; charset=UTF-8"
EVENT_TYPES = {  # as the ACT sends them (src/services/types.ts EventTypesV2, EventTypesV3)
    2: {
        "created": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
        "fulfilled": "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
        "rejected": "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1",
        "published": "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
    },
    3: {
        "created": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "fulfilled": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
        "rejected": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
        "published": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
    },
}


def random_string(length: int) -> str:
    """authUtils.randomString: letters and digits."""
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(length))


def iso(moment: datetime) -> str:
    """JavaScript's Date.toISOString: milliseconds and Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def plus_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February; JavaScript's setFullYear rolls over to 1 March
        return moment.replace(year=moment.year + years, month=3, day=1)


def basic(client_id: str, client_secret: str) -> dict[str, str]:
    """authUtils.getCorrectAuthHeaders / getIncorrectAuthHeaders."""
    encoded = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": f"Basic {encoded}",
    }


def body_of(answer: httpx.Response) -> Any:
    """test-helpers.makeRequest: JSON only when the answer says it is JSON."""
    if answer.content and "application/json" in answer.headers.get("content-type", ""):
        return answer.json()
    return None


def parse_link_header(header: str | None) -> dict[str, str]:
    """fetchFootprints.parseLinkHeader: ``<url>; rel="name"`` entries by name."""
    links: dict[str, str] = {}
    for part in (header or "").split(", "):
        if part.startswith("<") and '>; rel="' in part:
            url, _, rel = part[1:].partition('>; rel="')
            links[rel.rstrip('"')] = url
    return links


@dataclass
class Act:
    """The tester's context after Test Case 0 (TestContext in test-helpers.ts)."""

    client: TestClient
    platform: Platform
    version: int
    owner: dict[str, str]  # the supplier's management API headers
    connection: dict[str, Any]  # the tester's connection at the supplier
    token_url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    footprints: list[dict[str, Any]] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    run_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def client_id(self) -> str:
        return str(self.connection["inbound_client_id"])

    @property
    def client_secret(self) -> str:
        return str(self.connection["inbound_client_secret"])

    def url(self, path: str) -> str:
        return f"{BASE}/{self.version}/{path}"

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        headers = kwargs.pop("headers", self.headers | {"Content-Type": "application/json"})
        return self.client.get(url, headers=headers, **kwargs)

    def post_event(
        self, event: dict[str, Any], *, url: str | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = self.headers | {"Content-Type": CLOUDEVENTS}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.post(
            url or self.url("events"), content=json.dumps(event), headers=headers
        )

    def event(self, kind: str, data: dict[str, Any], event_id: str | None = None) -> dict:
        return {
            "type": EVENT_TYPES[self.version][kind],
            "specversion": "1.0",
            "id": event_id or str(uuid.uuid4()),
            "source": WEBHOOK,
            "time": iso(datetime.now(UTC)),
            "data": data,
        }

    def request_data(self, product_ids: list[str]) -> dict[str, Any]:
        """What a RequestCreated event asks for, in the version's form."""
        comment = "Please send PCF data for this year."
        if self.version == 2:
            return {"pf": {"productIds": product_ids}, "comment": comment}
        return {"productId": product_ids, "comment": comment}

    def token(self) -> httpx.Response:
        return self.client.post(
            self.token_url,
            content="grant_type=client_credentials",
            headers=basic(self.client_id, self.client_secret),
        )

    def filter_params(self) -> dict[str, Any]:
        """v3-test-cases.ts getFilterParameters, from the first footprint listed."""
        first = self.footprints[0]
        pcf = first.get("pcf", {})
        start, end = first.get("validityPeriodStart"), first.get("validityPeriodEnd")
        if start and end:
            valid_from, valid_to = when(start), when(end)
        else:
            valid_from = when(pcf["referencePeriodEnd"])
            valid_to = plus_years(valid_from, 3)
        return {
            "id": first["id"],
            "productId": first["productIds"][0],
            "productIds": first["productIds"],
            "companyId": first["companyIds"][0],
            "geography": pcf.get("geographyCountry")
            or pcf.get("geographyRegionOrSubregion")
            or pcf.get("geographyCountrySubdivision")
            or "",
            "classification": (first.get("productClassifications") or [""])[0],
            "validOn": start if start and end else pcf["referencePeriodEnd"],
            "validAfter": iso(valid_from - timedelta(days=1)),
            "validBefore": iso(valid_to + timedelta(days=1)),
            "status": first["status"],
        }


# --- the host under test -----------------------------------------------------------------------


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings, on a public https address (PCFHUB_PUBLIC_URL), as served to the ACT."""
    return settings.model_copy(update={"public_url": BASE})


@pytest.fixture
def act(
    request: pytest.FixtureRequest,
    platform: Platform,
    supplier: DemoSignIn,
    enterprise: Principal,
    published: dict[str, uuid.UUID],
) -> Iterator[Act]:
    """Test Case 0 done: footprints shared with the tester, a token, the footprints listed and
    the pagination links of ``?limit=1`` read."""
    version: int = request.param
    with TestClient(create_app(platform=platform), base_url=BASE) as client:
        owner = token_headers(platform, client, supplier.organisation_id)
        created = client.post(
            f"{API}/exchange/connections",
            json={"name": "PACT conformance", "base_url": WEBHOOK, "spec_version": version},
            headers=owner,
        )
        assert created.status_code == 201, created.text
        connection = created.json()
        for index in range(2):
            result = stored_result(platform, enterprise, code=f"act-{index}")
            product = f"urn:pact:widgets.example.com:product-id:ACT-{index}"
            footprint = publish(client, owner, result, product_ids=[product])
            shared = client.post(
                f"{API}/exchange/footprints/{footprint['id']}/shares",
                json={"recipient": connection["partner_id"]},
                headers=owner,
            )
            assert shared.status_code == 201, shared.text
        context = Act(client, platform, version, owner, connection)
        initialise(context)
        yield context


def initialise(act: Act) -> None:
    """Test Case 0: Initialize test run (v3-tests.ts / v2-tests.ts InitializeTestRun)."""
    act.token_url = f"{BASE}/auth/token"
    discovery = act.client.get(f"{BASE}/.well-known/openid-configuration")
    if discovery.status_code == 200 and (body_of(discovery) or {}).get("token_endpoint"):
        act.token_url = discovery.json()["token_endpoint"]
    answer = act.token()
    assert answer.status_code == 200, answer.text
    assert (body_of(answer) or {}).get("access_token"), "no access_token in the token response"
    act.headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    listed = act.get(act.url("footprints"))
    act.footprints = (body_of(listed) or {}).get("data") or []
    assert len(act.footprints) >= 2, "at least two footprints are needed to run the tests"
    paginated = act.get(act.url("footprints"), params={"limit": "1"})
    act.links = parse_link_header(paginated.headers.get("link"))
    assert act.footprints[0].get("productIds"), "footprints must contain a product id"


BOTH = pytest.mark.parametrize("act", [2, 3], indirect=True, ids=["v2.3", "v3.0"])
V3 = pytest.mark.parametrize("act", [3], indirect=True, ids=["v3.0"])
V2 = pytest.mark.parametrize("act", [2], indirect=True, ids=["v2.3"])


def spec(act: Act) -> str:
    return f"v{act.version}"


def assert_footprint_list(act: Act, answer: httpx.Response, statuses: tuple[int, ...] = (200,)):
    """Status, a JSON body with a ``data`` list, every item a ProductFootprint of the version."""
    assert answer.status_code in statuses, (answer.status_code, answer.text)
    body = body_of(answer)
    assert body is not None, "expected a JSON response body, but got none"
    assert isinstance(body.get("data"), list), body
    for document in body["data"]:
        assert errors(spec(act), document) == [], document.get("id")
    return body["data"]


# --- Test Case 0 ---------------------------------------------------------------------------------


@BOTH
def test_tc00_initialize_test_run(act: Act) -> None:
    """Discovery names the token endpoint; two footprints listed; ``?limit=1`` has a link."""
    discovery = act.client.get(f"{BASE}/.well-known/openid-configuration")
    assert discovery.status_code == 200
    assert act.token_url == discovery.json()["token_endpoint"]
    assert len(act.footprints) == 2
    assert act.links, "the ?limit=1 page has no Link header"


# --- Authentication ------------------------------------------------------------------------------


@BOTH
def test_tc01_obtain_auth_token_with_valid_credentials(act: Act) -> None:
    answer = act.token()
    assert answer.status_code == 200, answer.text


@BOTH
def test_tc02_obtain_auth_token_with_invalid_credentials(act: Act) -> None:
    answer = act.client.post(
        act.token_url,
        content="grant_type=client_credentials",
        headers=basic(random_string(16), random_string(16)),
    )
    assert answer.status_code in (400, 401), (answer.status_code, answer.text)


# --- GetFootprint, ListFootprints, pagination ----------------------------------------------------


@BOTH
def test_tc03_get_pcf_using_getfootprint(act: Act) -> None:
    wanted = act.footprints[0]["id"]
    answer = act.get(act.url(f"footprints/{wanted}"))
    assert answer.status_code == 200, answer.text
    body = body_of(answer)
    assert body is not None, "expected a JSON response body, but got none"
    assert errors(spec(act), body["data"]) == []
    assert body["data"]["id"] == wanted


@BOTH
def test_tc04_get_all_pcfs_using_listfootprints(act: Act) -> None:
    listed = assert_footprint_list(act, act.get(act.url("footprints")), (200, 202))
    assert len(listed) == len(act.footprints), "Number of footprints does not match"


@BOTH
def test_tc05_pagination_link_implementation_of_action_listfootprints(act: Act) -> None:
    assert act.links, "No pagination link found"
    link = next(iter(act.links.values()))
    assert_footprint_list(act, act.get(link))


# --- Invalid tokens and ids ----------------------------------------------------------------------


def bad_token() -> dict[str, str]:
    return {"Authorization": f"Bearer very-invalid-access-token-{random_string(16)}"}


@BOTH
def test_tc06_attempt_listfootprints_with_invalid_token(act: Act) -> None:
    answer = act.get(act.url("footprints"), headers=bad_token())
    assert answer.status_code in (400, 401), (answer.status_code, answer.text)
    assert (body_of(answer) or {}).get("code") == "BadRequest", answer.text


@BOTH
def test_tc07_attempt_getfootprint_with_invalid_token(act: Act) -> None:
    answer = act.get(act.url(f"footprints/{act.footprints[0]['id']}"), headers=bad_token())
    assert answer.status_code in (400, 401), (answer.status_code, answer.text)
    assert (body_of(answer) or {}).get("code") == "BadRequest", answer.text


@BOTH
def test_tc08_attempt_getfootprint_with_non_existent_pfid(act: Act) -> None:
    """The ACT asks for the nil UUID (v*-tests.ts); its older cases for a non-UUID string."""
    not_found = "NotFound" if act.version == 3 else "NoSuchFootprint"
    for missing in (str(uuid.UUID(int=0)), f"random-string-as-id-{random_string(16)}"):
        answer = act.get(act.url(f"footprints/{missing}"))
        assert answer.status_code in (400, 404), (missing, answer.status_code, answer.text)
        assert (body_of(answer) or {}).get("code") in (not_found, "BadRequest"), answer.text


# --- Over plain HTTP -----------------------------------------------------------------------------


def plain(url: str) -> str:
    return url.replace("https", "http", 1)


def shown(answer: httpx.Response) -> str:
    return f"{answer.request.url} -> {answer.status_code} {answer.text[:120]!r}"


@BOTH
def test_tc09_attempt_authentication_through_http_non_https(act: Act) -> None:
    answer = act.client.post(
        plain(act.token_url),
        content="grant_type=client_credentials",
        headers=basic(act.client_id, act.client_secret),
    )
    succeeded = answer.status_code == 200 and "access_token" in (body_of(answer) or {})
    assert not succeeded, f"Auth token request unexpectedly succeeded over HTTP: {shown(answer)}"


@BOTH
def test_tc10_attempt_listfootprints_through_http_non_https(act: Act) -> None:
    answer = act.get(plain(act.url("footprints")))
    succeeded = answer.status_code in (200, 202) and "data" in (body_of(answer) or {})
    assert not succeeded, f"ListFootprints unexpectedly succeeded over HTTP: {shown(answer)}"


@BOTH
def test_tc11_attempt_getfootprint_through_http_non_https(act: Act) -> None:
    answer = act.get(plain(act.url(f"footprints/{act.footprints[0]['id']}")))
    succeeded = answer.status_code == 200 and "data" in (body_of(answer) or {})
    assert not succeeded, f"GetFootprint unexpectedly succeeded over HTTP: {shown(answer)}"


@BOTH
def test_tc17_attempt_action_events_through_http_non_https(act: Act) -> None:
    event = act.event("published", {"pfIds": [PUBLISHED_PF_ID]})
    answer = act.post_event(event, url=plain(act.url("events")))
    assert answer.status_code != 200, (
        f"Action Events unexpectedly succeeded over HTTP: {shown(answer)}"
    )


# --- Events --------------------------------------------------------------------------------------


def inbound_request(act: Act, event_id: str) -> dict[str, Any]:
    listed = act.client.get(f"{API}/exchange/requests", headers=act.owner)
    assert listed.status_code == 200, listed.text
    found = [r for r in listed.json() if r["event_id"] == event_id]
    assert len(found) == 1, listed.json()
    return found[0]


def queued_events(act: Act, kind: str) -> list[dict[str, Any]]:
    """The events pcfhub queued for the tester's connection, of one type, with where they go."""
    with act.platform.unit_of_work(read_only=True) as uow:
        link = uow.session.get(PactConnectionRow, uuid.UUID(act.connection["id"]))
        assert link is not None
        target = f"{(link.base_url or '').rstrip('/')}/{link.spec_version}/events"
        rows = uow.session.scalars(
            select(PactOutboxRow).where(PactOutboxRow.connection_id == link.id)
        ).all()
        wanted = EVENT_TYPES[act.version][kind]
        return [{"to": target, **row.event} for row in rows if row.event.get("type") == wanted]


def callback(act: Act, kind: str, request_event_id: str) -> dict[str, Any]:
    found = [e for e in queued_events(act, kind) if e["data"]["requestEventId"] == request_event_id]
    assert len(found) == 1, f"no {kind} event queued for request {request_event_id}"
    event = found[0]
    assert event.pop("to") == f"{WEBHOOK}/{act.version}/events", "callback to the wrong path"
    return event


@BOTH
def test_tc12_receive_asynchronous_pcf_request(act: Act) -> None:
    event_id = f"{act.run_id}/13"
    event = act.event("created", act.request_data(act.footprints[0]["productIds"]), event_id)
    answer = act.post_event(event)
    assert answer.status_code == 200, answer.text


@BOTH
def test_tc13_received_request_fulfilled_response(act: Act) -> None:
    """Test Case 12's request, answered by the supplier: the RequestFulfilled event queued for
    the tester carries footprints of the requested products only."""
    requested = act.footprints[0]["productIds"]
    event_id = f"{act.run_id}/13"
    posted = act.post_event(act.event("created", act.request_data(requested), event_id))
    assert posted.status_code == 200, posted.text
    pending = inbound_request(act, event_id)
    chosen = act.client.get(
        f"{API}/exchange/requests/{pending['id']}/candidates", headers=act.owner
    ).json()
    assert chosen, "the supplier has no footprint for the request"
    answered = act.client.post(
        f"{API}/exchange/requests/{pending['id']}/answer",
        json={"footprint_ids": chosen},
        headers=act.owner,
    )
    assert answered.status_code == 200, answered.text

    fulfilled = callback(act, "fulfilled", event_id)
    assert schema_errors(spec(act), "RequestFulfilledEvent", fulfilled) == []
    assert fulfilled["data"]["pfs"]
    for pf in fulfilled["data"]["pfs"]:
        for product in pf["productIds"]:
            assert product in requested, f"product ID {product} was not in the original request"


@BOTH
def test_tc14a_send_asynchronous_request_to_be_rejected(act: Act) -> None:
    event = act.event("created", act.request_data(["urn:pact:null"]), f"{act.run_id}/14.B")
    answer = act.post_event(event)
    assert answer.status_code == 200, answer.text


@BOTH
def test_tc14b_handle_rejected_pcf_request(act: Act) -> None:
    """Test Case 14.A's request (``urn:pact:null``), rejected by the supplier: the
    RequestRejected event queued for the tester has an error with a code and a message."""
    event_id = f"{act.run_id}/14.B"
    posted = act.post_event(act.event("created", act.request_data(["urn:pact:null"]), event_id))
    assert posted.status_code == 200, posted.text
    pending = inbound_request(act, event_id)
    answered = act.client.post(
        f"{API}/exchange/requests/{pending['id']}/answer",
        json={"reject_code": "NotFound"},
        headers=act.owner,
    )
    assert answered.status_code == 200, answered.text

    rejected = callback(act, "rejected", event_id)
    assert schema_errors(spec(act), "RequestRejectedEvent", rejected) == []
    error = rejected["data"]["error"]
    assert error.get("code"), error
    assert error.get("message"), error


@BOTH
def test_tc15_receive_notification_of_pcf_update_published_event(act: Act) -> None:
    answer = act.post_event(act.event("published", {"pfIds": [PUBLISHED_PF_ID]}))
    assert answer.status_code == 200, answer.text


@BOTH
def test_tc16_attempt_action_events_with_invalid_token(act: Act) -> None:
    event = act.event("published", {"pfIds": [PUBLISHED_PF_ID]}, f"{act.run_id}/16")
    answer = act.post_event(event, token=f"very-invalid-access-token-{random_string(16)}")
    assert answer.status_code in (400, 401), (answer.status_code, answer.text)
    assert (body_of(answer) or {}).get("code") == "BadRequest", answer.text


@V3
def test_v3_tc40_failed_to_receive_notification_of_pcf_update_published_event_malformed_request(
    act: Act,
) -> None:
    """pfIds must be footprint ids (UUIDs), not product URNs."""
    answer = act.post_event(act.event("published", {"pfIds": ["urn:gtin:4712345060507"]}))
    assert answer.status_code == 400, (answer.status_code, answer.text)


@V2
def test_v2_tc21_failed_to_receive_notification_of_pcf_update_published_event_malformed_request(
    act: Act,
) -> None:
    answer = act.post_event(act.event("published", {"pfIds": ["urn:gtin:4712345060507"]}))
    assert answer.status_code == 400, (answer.status_code, answer.text)


# --- V3 filtering --------------------------------------------------------------------------------


def filtered(act: Act, params: dict[str, str] | list[tuple[str, str]]) -> list[dict[str, Any]]:
    """v3-tests.ts fetchNonEmptyFootprintList: 200, a JSON body, a list of footprints."""
    return assert_footprint_list(act, act.get(act.url("footprints"), params=params))


def validity(document: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The footprint's stated validity period, else the reference period fallback the ACT uses."""
    start, end = document.get("validityPeriodStart"), document.get("validityPeriodEnd")
    if start and end:
        return when(start), when(end)
    reference_end = document.get("pcf", {}).get("referencePeriodEnd")
    if not reference_end:
        return None, None
    return when(reference_end), plus_years(when(reference_end), 3)


@V3
def test_v3_tc20_filter_by_productid_parameter(act: Act) -> None:
    wanted = act.filter_params()["productId"]
    found = filtered(act, {"productId": wanted})
    assert all(wanted in d["productIds"] for d in found), found
    assert found, "the first footprint's own product id matched nothing"


@V3
def test_v3_tc21_filter_by_companyid_parameter(act: Act) -> None:
    wanted = act.filter_params()["companyId"]
    found = filtered(act, {"companyId": wanted})
    assert all(wanted in d["companyIds"] for d in found), found
    assert found, "the first footprint's own company id matched nothing"


@V3
def test_v3_tc22_filter_by_geography_parameter(act: Act) -> None:
    wanted = act.filter_params()["geography"]
    found = filtered(act, {"geography": wanted})
    if not wanted:
        assert len(found) == len(act.footprints)
        return
    places = ("geographyCountry", "geographyRegionOrSubregion", "geographyCountrySubdivision")
    assert all(any(d["pcf"].get(p) == wanted for p in places) for d in found), found
    assert found, "the first footprint's own geography matched nothing"


@V3
def test_v3_tc23_filter_by_classification_parameter(act: Act) -> None:
    wanted = act.filter_params()["classification"]
    found = filtered(act, {"classification": wanted})
    if not wanted:
        assert len(found) == len(act.footprints)
        return
    assert all(wanted in d["productClassifications"] for d in found), found
    assert found, "the first footprint's own classification matched nothing"


@V3
def test_v3_tc24_filter_by_validon_parameter(act: Act) -> None:
    valid_on = act.filter_params()["validOn"]
    found = filtered(act, {"validOn": valid_on})
    for document in found:
        start, end = validity(document)
        assert start is not None, document["id"]
        assert end is not None, document["id"]
        assert start <= when(valid_on) <= end, document["id"]
    assert found, "the first footprint is valid on its own validity start"


@V3
def test_v3_tc25_filter_by_validafter_parameter(act: Act) -> None:
    valid_after = act.filter_params()["validAfter"]
    found = filtered(act, {"validAfter": valid_after})
    for document in found:
        start, _end = validity(document)
        assert start is not None, document["id"]
        assert start > when(valid_after), document["id"]
    assert found, "the first footprint's validity starts after validAfter"


@V3
def test_v3_tc26_filter_by_validbefore_parameter(act: Act) -> None:
    valid_before = act.filter_params()["validBefore"]
    found = filtered(act, {"validBefore": valid_before})
    for document in found:
        _start, end = validity(document)
        assert end is not None, document["id"]
        assert end < when(valid_before), document["id"]
    assert found, "the first footprint's validity ends before validBefore"


@V3
def test_v3_tc27_filter_by_status_parameter(act: Act) -> None:
    status = act.filter_params()["status"]
    found = filtered(act, {"status": status})
    assert all(d["status"] == status for d in found), found
    assert found


@V3
def test_v3_tc28_filter_by_both_status_and_productid_parameters(act: Act) -> None:
    params = act.filter_params()
    found = filtered(act, {"status": params["status"], "productId": params["productId"]})
    assert all(
        d["status"] == params["status"] and params["productId"] in d["productIds"] for d in found
    ), found
    assert found


@V3
def test_v3_tc29_filter_by_multiple_filter_parameters_using_or_logic(act: Act) -> None:
    wanted = act.filter_params()["companyId"]
    query = [
        ("companyId", wanted),
        ("companyId", random_string(8)),
        ("companyId", random_string(8)),
    ]
    found = filtered(act, query)
    assert all(wanted in d["companyIds"] for d in found), found
    assert found


def assert_empty(act: Act, params: dict[str, str] | list[tuple[str, str]]) -> None:
    """The negative filter cases: 200 and ``{"data": []}``."""
    answer = act.get(act.url("footprints"), params=params)
    assert answer.status_code == 200, (answer.status_code, answer.text)
    body = body_of(answer)
    assert body is not None, "expected a JSON response body, but got none"
    assert body.get("data") == [], body


@V3
def test_v3_tc30_filter_by_productid_parameter_negative_test_case(act: Act) -> None:
    assert_empty(act, {"productId": f"urn:bogus:product:{random_string(16)}"})


@V3
def test_v3_tc31_filter_by_companyid_parameter_negative_test_case(act: Act) -> None:
    assert_empty(act, {"companyId": f"urn:bogus:company:{random_string(16)}"})


@V3
def test_v3_tc32_filter_by_geography_parameter_negative_test_case(act: Act) -> None:
    assert_empty(act, {"geography": "XX"})


@V3
def test_v3_tc33_filter_by_classification_parameter_negative_test_case(act: Act) -> None:
    assert_empty(act, {"classification": f"urn:bogus:classification:{random_string(16)}"})


@V3
def test_v3_tc34_filter_by_validon_parameter_negative_test_case(act: Act) -> None:
    assert_empty(act, {"validOn": "1900-01-01T00:00:00Z"})


@V3
def test_v3_tc35_filter_by_validafter_parameter_negative_test_case(act: Act) -> None:
    assert_empty(act, {"validAfter": "2099-12-31T23:59:59Z"})


@V3
def test_v3_tc36_filter_by_validbefore_parameter_negative_test_case(act: Act) -> None:
    assert_empty(act, {"validBefore": "1900-01-01T00:00:00Z"})


@V3
def test_v3_tc37_filter_by_status_parameter_negative_test_case(act: Act) -> None:
    assert_empty(act, {"status": f"BogusStatus{random_string(8)}"})


@V3
def test_v3_tc38_filter_by_multiple_filter_parameters_using_and_logic_negative_test_case(
    act: Act,
) -> None:
    assert_empty(
        act,
        {
            "companyId": f"urn:bogus:company:{random_string(8)}",
            "productId": f"urn:bogus:product:{random_string(16)}",
        },
    )


@V3
def test_v3_tc39_filter_by_multiple_filter_parameters_using_or_logic_negative_test_case(
    act: Act,
) -> None:
    assert_empty(act, [("companyId", f"urn:bogus:company:{random_string(8)}") for _ in range(3)])
