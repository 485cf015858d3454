"""PACT events: CloudEvents 1.0 in structured content mode (v2 §Action Events, v3 ``/3/events``).

Pure: builds the four events of each version and reads incoming ones into `Incoming`,
raising `EventError` (answered with 400 BadRequest) for anything malformed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pcfhub.exchange.filters import Criteria, FilterError, criteria_from

Kind = Literal["published", "request_created", "request_fulfilled", "request_rejected"]

EVENT_TYPES: dict[int, dict[Kind, str]] = {
    2: {
        "published": "org.wbcsd.pathfinder.ProductFootprint.Published.v1",
        "request_created": "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1",
        "request_fulfilled": "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1",
        "request_rejected": "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1",
    },
    3: {
        "published": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
        "request_created": "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3",
        "request_fulfilled": "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3",
        "request_rejected": "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3",
    },
}
KIND_OF = {t: (v, k) for v, types in EVENT_TYPES.items() for k, t in types.items()}
CLOUDEVENTS_MEDIA_TYPE = "application/cloudevents+json"
MAX_PUBLISHED_IDS = 1000  # per PublishedEvent: what one partner may ask this host to fetch
#: v2's Fragment names for what v3 calls criteria (v2 §PF Request Event: a fragment of a PF).
V2_FRAGMENT_NAMES = {"productIds": "productId", "companyIds": "companyId"}


class EventError(ValueError):
    """An event the host does not accept: 400 with ``code`` (BadRequest or NotImplemented)."""

    def __init__(self, message: str, code: str = "BadRequest") -> None:
        super().__init__(message)
        self.code = code


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(version: int, kind: Kind, source: str, data: dict[str, Any]) -> dict[str, Any]:
    """A new CloudEvent of ``kind`` in the given spec version, with a fresh id."""
    return {
        "type": EVENT_TYPES[version][kind],
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": source,
        "time": _now(),
        "data": data,
    }


def request_created(version: int, source: str, criteria: Criteria, comment: str) -> dict[str, Any]:
    data = criteria.as_json()
    if version == 2:
        fragment: dict[str, Any] = {}
        if criteria.product_ids:
            fragment["productIds"] = list(criteria.product_ids)
        if criteria.company_ids:
            fragment["companyIds"] = list(criteria.company_ids)
        if criteria.geographies:
            fragment["pcf"] = {"geographyCountry": criteria.geographies[0]}
        data = {"pf": fragment}
        if comment:
            data["comment"] = comment
    elif comment:
        data["comment"] = comment
    return event(version, "request_created", source, data)


def fulfilled(version: int, source: str, request_id: str, pfs: list[dict[str, Any]]) -> dict:
    return event(version, "request_fulfilled", source, {"requestEventId": request_id, "pfs": pfs})


def rejected(version: int, source: str, request_id: str, code: str, message: str) -> dict:
    error = {"code": code, "message": message}
    return event(
        version, "request_rejected", source, {"requestEventId": request_id, "error": error}
    )


def published(version: int, source: str, ids: list[str]) -> dict[str, Any]:
    return event(version, "published", source, {"pfIds": ids})


@dataclass(frozen=True)
class Incoming:
    """A validated incoming event."""

    version: int
    kind: Kind
    id: str
    source: str
    data: Mapping[str, Any]
    criteria: Criteria | None = None  # request_created
    comment: str = ""


def _text(body: Mapping[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        raise EventError(f"{name}: required, a non-empty string (CloudEvents 1.0)")
    return value


def read(body: Any, *, version: int) -> Incoming:
    """Validate an event posted to ``/{version}/events``."""
    if not isinstance(body, Mapping):
        raise EventError("the body must be a JSON object (a CloudEvent in structured mode)")
    kind_type = _text(body, "type")
    if body.get("specversion") != "1.0":
        raise EventError("specversion: must be '1.0'")
    event_id, source = _text(body, "id"), _text(body, "source")
    if kind_type not in KIND_OF:
        # v2 names unknown functionality NotImplemented (a 400); v3 lists only 400 BadRequest.
        code = "NotImplemented" if version == 2 else "BadRequest"
        raise EventError(f"type: {kind_type!r} is not a PACT event", code)
    event_version, kind = KIND_OF[kind_type]
    if event_version != version:
        raise EventError(f"type: {kind_type!r} is a v{event_version} event, posted to /{version}")
    if version == 3:
        _text(body, "time")
    data = body.get("data")
    if not isinstance(data, Mapping):
        raise EventError("data: required, a JSON object")
    incoming = Incoming(version, kind, event_id, source, data)
    if kind == "request_created":
        return _request(incoming)
    if kind == "published":
        ids = data.get("pfIds")
        if not isinstance(ids, list) or not ids or not all(_is_uuid(i) for i in ids):
            raise EventError("data.pfIds: required, a non-empty list of footprint ids (UUIDs)")
        if len(ids) > MAX_PUBLISHED_IDS:
            raise EventError(
                f"data.pfIds: at most {MAX_PUBLISHED_IDS} ids per event; send several events"
            )
    elif kind == "request_fulfilled":
        _text(data, "requestEventId")
        pfs = data.get("pfs")
        if not isinstance(pfs, list) or (version == 3 and not pfs):
            raise EventError("data.pfs: required, a list of ProductFootprints (v3: non-empty)")
        if not all(isinstance(pf, Mapping) for pf in pfs):
            raise EventError("data.pfs: every item must be a ProductFootprint (a JSON object)")
    else:
        _text(data, "requestEventId")
        error = data.get("error")
        if not isinstance(error, Mapping) or not isinstance(error.get("code"), str):
            raise EventError("data.error: required, an object with code and message")
    return incoming


def _request(incoming: Incoming) -> Incoming:
    data = dict(incoming.data)
    comment = data.pop("comment", "") or ""
    if not isinstance(comment, str):
        raise EventError("data.comment: must be a string")
    if incoming.version == 2:
        fragment = data.get("pf")
        if not isinstance(fragment, Mapping):
            raise EventError("data.pf: required, a ProductFootprint fragment")
        data = {}
        for name, criterion in V2_FRAGMENT_NAMES.items():
            if name in fragment:
                data[criterion] = fragment[name]
        pcf = fragment.get("pcf") or {}
        if isinstance(pcf, Mapping) and pcf.get("geographyCountry"):
            data["geography"] = [pcf["geographyCountry"]]
        unknown = set(fragment) - {*V2_FRAGMENT_NAMES, "pcf"}
        if unknown:
            raise EventError(
                f"data.pf: pcfhub answers requests by productIds, companyIds and "
                f"pcf.geographyCountry, not by {', '.join(sorted(unknown))}",
                "NotImplemented",
            )
    try:
        criteria = criteria_from(data)
    except FilterError as error:
        raise EventError(f"data.{error}") from None
    if not (criteria.product_ids or criteria.company_ids or criteria.classifications):
        raise EventError("data: name at least one productId, companyId or classification")
    return Incoming(
        incoming.version, incoming.kind, incoming.id, incoming.source, incoming.data,
        criteria, comment,
    )  # fmt: skip


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
