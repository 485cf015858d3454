"""Small text normalisations shared by the readers."""

from __future__ import annotations

import re

_CAS = re.compile(r"^0*(\d{2,7})-(\d{2})-(\d)$")


def normalise_cas(value: object) -> str | None:
    """A CAS registry number without leading zeros (000124-38-9 → 124-38-9); None for blanks,
    "NaN" and anything whose check digit is wrong."""
    if not isinstance(value, str):
        return None
    match = _CAS.match(value.strip())
    if match is None:
        return None
    digits = match.group(1) + match.group(2)
    check = sum(int(d) * i for i, d in enumerate(reversed(digits), start=1)) % 10
    if check != int(match.group(3)):
        return None
    return f"{match.group(1)}-{match.group(2)}-{match.group(3)}"


_YEAR = re.compile(r"^\s*(\d{4})")


def year_of(value: object) -> int | None:
    """The year a date text starts with ("2009-12-31-07:00" → 2009), if plausible."""
    match = _YEAR.match(value) if isinstance(value, str) else None
    year = int(match.group(1)) if match else None
    return year if year is not None and 1900 <= year <= 2100 else None
