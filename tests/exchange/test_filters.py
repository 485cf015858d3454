"""The v3 filter criteria and the v2 $filter subset, on plain documents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pcfhub.exchange.events import EventError, read, request_created
from pcfhub.exchange.filters import FilterError, criteria_from, matches, v2_filter, validity

DOC = {
    "id": "7f2c1b8e-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
    "status": "Active",
    "created": "2026-02-01T00:00:00Z",
    "productCategoryCpc": "45220",
    "productIds": ["urn:pact:a.example:product-id:X"],
    "companyIds": ["urn:pact:a.example:supplier-id:1"],
    "productClassifications": ["urn:cpc:45220"],
    "pcf": {
        "geographyCountry": "CN",
        "referencePeriodStart": "2025-01-01T00:00:00Z",
        "referencePeriodEnd": "2026-01-01T00:00:00Z",
    },
}


def test_validity_defaults_to_three_years_after_the_reference_period() -> None:
    start, end = validity(DOC)
    assert start == datetime(2026, 1, 1, tzinfo=UTC)
    assert end == datetime(2029, 1, 1, tzinfo=UTC)
    stated = DOC | {"validityPeriodEnd": "2027-06-30T00:00:00Z"}
    assert validity(stated)[1] == datetime(2027, 6, 30, tzinfo=UTC)
    leap = DOC | {"pcf": DOC["pcf"] | {"referencePeriodEnd": "2024-02-29T00:00:00Z"}}
    assert validity(leap)[1] == datetime(2027, 3, 1, tzinfo=UTC)  # no 29 February in 2027


@pytest.mark.parametrize(
    ("query", "hit"),
    [
        ({"productId": ["URN:PACT:A.EXAMPLE:PRODUCT-ID:X"]}, True),
        ({"productId": ["urn:x:1", "urn:pact:a.example:product-id:X"]}, True),  # OR within
        ({"productId": ["urn:pact:a.example:product-id:X"], "geography": ["DE"]}, False),  # AND
        ({"geography": ["cn"]}, True),
        ({"classification": ["urn:cpc:45220"]}, True),
        ({"companyid": ["urn:pact:a.example:supplier-id:1"]}, True),  # names case-insensitive
        ({"status": ["deprecated"]}, False),
        ({"validOn": ["2026-06-01T00:00:00Z"]}, True),
        ({"validOn": ["2025-06-01T00:00:00Z"]}, False),
        ({"validAfter": ["2025-12-31T00:00:00Z"]}, True),
        ({"validBefore": ["2028-01-01T00:00:00Z"]}, False),
    ],
)
def test_v3_criteria(query: dict[str, list[str]], hit: bool) -> None:
    assert matches(DOC, criteria_from(query)) is hit


def test_bad_v3_criteria_say_which() -> None:
    with pytest.raises(FilterError, match="validOn"):
        criteria_from({"validOn": ["yesterday"]})
    with pytest.raises(FilterError, match="status"):
        criteria_from({"status": ["Archived"]})
    with pytest.raises(FilterError, match="colour"):
        criteria_from({"colour": ["red"]})
    with pytest.raises(FilterError, match="comment"):  # an event's field, not a query filter
        criteria_from({"comment": ["please"]})
    assert criteria_from({"x-acme-invoice": ["1"]}) == criteria_from({})


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("productCategoryCpc eq '45220'", True),
        ("pcf/geographyCountry eq 'DE'", False),
        ("(pcf/referencePeriodStart ge '2025-01-01T00:00:00.000Z') and "
         "(pcf/referencePeriodEnd lt '2026-01-02T00:00:00Z')", True),
        ("created gt '2026-03-01T00:00:00Z'", False),
        ("productIds/any(productId:(productId eq 'urn:pact:a.example:product-id:X'))", True),
        ("companyIds/any(c:(c eq 'urn:other'))", False),
        ("updated eq '2026-01-01T00:00:00Z'", False),  # no updated: no match
        ("created lt 2026-03-01T00:00:00Z", True),  # OData's unquoted date-time literal
        ("pcf/referencePeriodEnd ge 2026-01-01T08:00:00+08:00", True),
    ],
)  # fmt: skip
def test_v2_filter(text: str, hit: bool) -> None:
    assert v2_filter(text)(DOC) is hit


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("companyName eq 'A'", "NotImplemented"),
        ("productCategoryCpc eq '1' or created gt '2020-01-01T00:00:00Z'", "NotImplemented"),
        ("productCategoryCpc ne '1'", "NotImplemented"),
        ("(created gt 2020-01-01T00:00:00Z or created lt 2019-01-01T00:00:00Z)", "NotImplemented"),
        ("not (productCategoryCpc eq '1')", "NotImplemented"),
        ("productCategoryCpc eq 1", "BadRequest"),
        ("(productCategoryCpc eq '1'", "BadRequest"),
    ],
)
def test_v2_filters_pcfhub_refuses(text: str, code: str) -> None:
    with pytest.raises(FilterError) as refused:
        v2_filter(text)
    assert refused.value.code == code


def test_a_request_event_round_trips_in_both_versions() -> None:
    criteria = criteria_from({"productId": ["urn:pact:a.example:product-id:X"]})
    for version in (2, 3):
        event = request_created(version, "//b.example/3/events", criteria, "please")
        incoming = read(event, version=version)
        assert incoming.kind == "request_created"
        assert incoming.criteria == criteria
        assert incoming.comment == "please"


def test_malformed_events_are_refused() -> None:
    good = request_created(3, "//b.example/3/events", criteria_from({"productId": ["urn:a:b"]}), "")
    with pytest.raises(EventError, match="specversion"):
        read(good | {"specversion": "0.3"}, version=3)
    with pytest.raises(EventError, match="id"):
        read({k: v for k, v in good.items() if k != "id"}, version=3)
    with pytest.raises(EventError, match="v3 event"):
        read(good, version=2)
    with pytest.raises(EventError, match="pfIds"):
        read(good | {"type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3",
                     "data": {"pfIds": ["not-a-uuid"]}}, version=3)  # fmt: skip
