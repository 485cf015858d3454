"""Canonical JSON (RFC 8785, JCS): one byte string per JSON value, so that its hash is stable."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import rfc8785

from pcfhub.errors import InvalidInputError

# RFC 8785 §3.2.2.3 / I-JSON: integers beyond ±(2**53 - 1) lose precision as JSON numbers.
_SAFE_INTEGER = 2**53 - 1


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 serialisation of ``value`` (dicts, lists, str, int, float, bool, None).

    Raises InvalidInputError naming the offending place for NaN or infinite floats, non-string
    object keys, integers beyond ±(2**53 - 1) and types JSON cannot hold.
    """
    try:
        return rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as error:
        where, problem = _find_problem(value, "$") or ("$", str(error))
        raise InvalidInputError(
            f"Cannot write canonical JSON (RFC 8785): {problem} at {where}."
        ) from error


def content_hash(value: Any) -> str:
    """``"sha256:"`` + lowercase hex SHA-256 of ``canonical_json(value)``."""
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()


def _find_problem(value: Any, where: str) -> tuple[str, str] | None:
    """The first place in ``value`` that RFC 8785 cannot serialise, and why; None if none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) > _SAFE_INTEGER:
            return where, f"integer {value} is beyond ±(2**53 - 1)"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else (where, f"{value} is not a finite number")
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return where, "string holds a lone surrogate, which is not Unicode text"
        return None
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            found = _find_problem(item, f"{where}[{i}]")
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return where, f"object key {key!r} is of type {type(key).__name__}, not a string"
            found = _find_problem(key, f"{where} (key)") or _find_problem(
                item, f"{where}[{json.dumps(key, ensure_ascii=False)}]"
            )
            if found:
                return found
        return None
    return where, f"type {type(value).__name__} is not a JSON value"
