"""Which footprints a PACT query asks for. Pure: documents in, booleans out.

v3 (OpenAPI ``/3/footprints`` parameters and RequestCreatedEvent ``data``): OR within a
criterion, AND across criteria, matches case-insensitive. v2 (spec §Filtering): an OData v4
``$filter`` restricted to ``eq lt le gt ge`` on created, updated, productCategoryCpc,
pcf/geographyCountry, pcf/referencePeriodStart, pcf/referencePeriodEnd, ``and``, and ``any``
with ``eq`` on productIds and companyIds; anything else is refused as NotImplemented.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

V3_LIST_CRITERIA = ("productId", "companyId", "geography", "classification")
V3_TIME_CRITERIA = ("validOn", "validAfter", "validBefore")
STATUSES = ("Active", "Deprecated")
VALIDITY_YEARS = 3  # v3 §Validity Period: 3 years from referencePeriodEnd when not stated


class FilterError(ValueError):
    """A query the host cannot process; ``code`` is the PACT error code to answer with."""

    def __init__(self, message: str, code: str = "BadRequest") -> None:
        super().__init__(message)
        self.code = code


def parse_time(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(f"{name}: {value!r} is not an RFC 3339 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Criteria:
    """v3 filter criteria: each list is ORed; all given criteria must hold."""

    product_ids: tuple[str, ...] = ()
    company_ids: tuple[str, ...] = ()
    geographies: tuple[str, ...] = ()
    classifications: tuple[str, ...] = ()
    valid_on: datetime | None = None
    valid_after: datetime | None = None
    valid_before: datetime | None = None
    status: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The criteria as a RequestCreatedEvent's ``data`` (v3 names)."""
        data: dict[str, Any] = {}
        for name, values in (
            ("productId", self.product_ids),
            ("companyId", self.company_ids),
            ("geography", self.geographies),
            ("classification", self.classifications),
        ):
            if values:
                data[name] = list(values)
        for name, moment in (
            ("validOn", self.valid_on),
            ("validAfter", self.valid_after),
            ("validBefore", self.valid_before),
        ):
            if moment is not None:
                data[name] = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if self.status:
            data["status"] = self.status
        return data


def criteria_from(
    values: Mapping[str, Sequence[str] | str], *, any_status: bool = False
) -> Criteria:
    """Criteria from query parameters (lists) or an event's ``data`` (lists or strings).
    Unknown names are refused unless they carry the ``x-`` prefix the spec reserves. With
    ``any_status`` (ListFootprints) a status that is neither Active nor Deprecated matches
    nothing instead of being refused, as the PACT conformance tests expect."""
    canonical = {n.lower(): n for n in (*V3_LIST_CRITERIA, *V3_TIME_CRITERIA, "status")}
    merged: dict[str, list[Any]] = {}
    for key, raw in values.items():
        name = canonical.get(key.lower())
        if name is None:
            if key.lower().startswith("x-"):
                continue  # extra criteria of other hosts (v3 §Filtering); none here
            raise FilterError(f"{key}: not a filter criterion of PACT v3")
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list | tuple) or not all(isinstance(i, str) for i in raw):
            raise FilterError(f"{key}: a string or a list of strings")
        merged.setdefault(name, []).extend(raw)

    def many(name: str) -> tuple[str, ...]:
        items = merged.get(name, [])
        if not all(isinstance(i, str) and i.strip() for i in items):
            raise FilterError(f"{name}: every value must be a non-empty string")
        return tuple(i.strip() for i in items)

    def one(name: str) -> str | None:
        items = many(name)
        if len(items) > 1:
            raise FilterError(f"{name}: give one value, not {len(items)}")
        return items[0] if items else None

    times = {n: one(n) for n in V3_TIME_CRITERIA}
    status = one("status")
    if status is not None:
        matched = [s for s in STATUSES if s.lower() == status.lower()]
        if not matched and not any_status:
            raise FilterError(f"status: {status!r} is neither Active nor Deprecated")
        status = matched[0] if matched else status
    return Criteria(
        product_ids=many("productId"),
        company_ids=many("companyId"),
        geographies=many("geography"),
        classifications=many("classification"),
        valid_on=parse_time(times["validOn"], "validOn") if times["validOn"] else None,
        valid_after=parse_time(times["validAfter"], "validAfter") if times["validAfter"] else None,
        valid_before=(
            parse_time(times["validBefore"], "validBefore") if times["validBefore"] else None
        ),
        status=status,
    )


def validity(document: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """A footprint's validity period: as stated, else referencePeriodEnd plus three years."""
    pcf = document["pcf"]
    reference_end = parse_time(pcf["referencePeriodEnd"], "referencePeriodEnd")
    start = document.get("validityPeriodStart")
    end = document.get("validityPeriodEnd")
    try:
        default_end = reference_end.replace(year=reference_end.year + VALIDITY_YEARS)
    except ValueError:  # 29 February, three years on, is 1 March
        default_end = reference_end.replace(
            year=reference_end.year + VALIDITY_YEARS, month=3, day=1
        )
    return (
        parse_time(start, "validityPeriodStart") if start else reference_end,
        parse_time(end, "validityPeriodEnd") if end else default_end,
    )


def _any_of(wanted: Sequence[str], held: Sequence[str]) -> bool:
    have = {h.lower() for h in held}
    return any(w.lower() in have for w in wanted)


def matches(document: Mapping[str, Any], criteria: Criteria) -> bool:
    """Whether a v3 ProductFootprint meets every given criterion (v3 §Filtering)."""
    pcf = document.get("pcf", {})
    if criteria.product_ids and not _any_of(criteria.product_ids, document.get("productIds", [])):
        return False
    if criteria.company_ids and not _any_of(criteria.company_ids, document.get("companyIds", [])):
        return False
    if criteria.classifications and not _any_of(
        criteria.classifications, document.get("productClassifications", [])
    ):
        return False
    if criteria.geographies:
        held = [
            pcf.get(k)
            for k in (
                "geographyRegionOrSubregion",
                "geographyCountry",
                "geographyCountrySubdivision",
            )
        ]
        if not _any_of(criteria.geographies, [h for h in held if h] or ["Global"]):
            return False
    if criteria.status and document.get("status", "").lower() != criteria.status.lower():
        return False
    if criteria.valid_on or criteria.valid_after or criteria.valid_before:
        start, end = validity(document)
        if criteria.valid_on and not start <= criteria.valid_on <= end:
            return False
        if criteria.valid_after and not start > criteria.valid_after:
            return False
        if criteria.valid_before and not end < criteria.valid_before:
            return False
    return True


# --- v2 $filter (OData v4 subset) -------------------------------------------------------------

V2_COMPARABLE = {
    "created": ("created",),
    "updated": ("updated",),
    "productCategoryCpc": ("productCategoryCpc",),
    "pcf/geographyCountry": ("pcf", "geographyCountry"),
    "pcf/referencePeriodStart": ("pcf", "referencePeriodStart"),
    "pcf/referencePeriodEnd": ("pcf", "referencePeriodEnd"),
}
V2_TIMES = {"created", "updated", "pcf/referencePeriodStart", "pcf/referencePeriodEnd"}
V2_COLLECTIONS = ("productIds", "companyIds")
OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}
#: OData words outside the v2 subset: refused as NotImplemented wherever they appear.
UNSUPPORTED = frozenset({"or", "not", "ne", "has", "in", "all"})
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')"
    r"|(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)?)"
    r"|(?P<punct>[():])|(?P<word>[^\s():']+))"
)

Predicate = Callable[[Mapping[str, Any]], bool]


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise FilterError(f"$filter: cannot read {text[position:]!r}")
        tokens.append(found.group().strip())
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token in UNSUPPORTED:
            raise FilterError(
                f"$filter: {token!r} is not supported (only 'and', comparisons and any)",
                "NotImplemented",
            )
        if token is None or (expected is not None and token != expected):
            raise FilterError(f"$filter: expected {expected or 'more'}, found {token!r}")
        self.at += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.conjunction()
        if self.peek() is not None:
            raise FilterError(
                f"$filter: {self.peek()!r} is not supported (only 'and', comparisons and any)",
                "NotImplemented",
            )
        return predicate

    def conjunction(self) -> Predicate:
        parts = [self.term()]
        while self.peek() == "and":
            self.take()
            parts.append(self.term())
        return lambda doc: all(p(doc) for p in parts)

    def term(self) -> Predicate:
        if self.peek() == "(":
            self.take("(")
            inner = self.conjunction()
            self.take(")")
            return inner
        name = self.take()
        if "/any" in name or self.peek() == "any":
            return self.any(name)
        return self.comparison(name)

    def comparison(self, name: str) -> Predicate:
        if name not in V2_COMPARABLE:
            raise FilterError(f"$filter: cannot filter on {name!r}", "NotImplemented")
        operator = self.take()
        if operator not in OPERATORS:
            raise FilterError(f"$filter: operator {operator!r} is not supported", "NotImplemented")
        literal = self.literal(unquoted_time=name in V2_TIMES)
        path, compare = V2_COMPARABLE[name], OPERATORS[operator]
        wanted: Any = parse_time(literal, name) if name in V2_TIMES else literal

        def predicate(doc: Mapping[str, Any]) -> bool:
            value: Any = doc
            for key in path:
                value = value.get(key) if isinstance(value, Mapping) else None
            if value is None:
                return False
            if name in V2_TIMES:
                value = parse_time(str(value), name)
            return bool(compare(value, wanted))

        return predicate

    def any(self, head: str) -> Predicate:
        collection = head.removesuffix("/any")
        if collection not in V2_COLLECTIONS:
            raise FilterError(
                f"$filter: any() is not supported on {collection!r}", "NotImplemented"
            )
        self.take("(")
        variable = self.take()
        self.take(":")
        depth = 0
        while self.peek() == "(":
            self.take("(")
            depth += 1
        if self.take() != variable or self.take() != "eq":
            raise FilterError("$filter: any() takes only 'variable eq value'", "NotImplemented")
        value = self.literal()
        for _ in range(depth):
            self.take(")")
        self.take(")")
        return lambda doc: _any_of([value], doc.get(collection, []))

    def literal(self, *, unquoted_time: bool = False) -> str:
        """A quoted string; OData's unquoted date-time literal too where a time is compared."""
        token = self.take()
        if unquoted_time and not token.startswith("'"):
            return token
        if not (token.startswith("'") and token.endswith("'") and len(token) >= 2):
            raise FilterError(f"$filter: {token!r} is not a quoted string")
        return token[1:-1].replace("''", "'")


def v2_filter(text: str) -> Predicate:
    """A predicate over v2 ProductFootprints from a ``$filter`` statement."""
    if not text.strip():
        return lambda _doc: True
    return _Parser(text).parse()
