"""RFC 8785 canonical JSON: the RFC's own examples, and refusals that name the problem."""

from __future__ import annotations

import hashlib
import json
import math
import re
import struct

import pytest

from pcfhub.errors import InvalidInputError
from pcfhub.ledger.canonical import canonical_json, content_hash


def test_rfc8785_example_of_the_whole_transformation() -> None:
    # RFC 8785 §3.2.4: input JSON and its canonical form.
    source = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(json.loads(source)) == expected.encode("utf-8")


def test_keys_sort_by_utf16_code_units() -> None:
    # RFC 8785 §3.2.3: the emoji (surrogates D83D DE00) sorts before U+FB33, which code-point
    # order would put first.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = list(json.loads(canonical_json(value)).values())
    assert order == [
        "Carriage Return",
        "One",
        "Control",
        "Latin Small Letter O With Diaeresis",
        "Euro Sign",
        "Emoji: Grinning Face",
        "Hebrew Letter Dalet With Dagesh",
    ]


def test_nested_objects_are_sorted_and_whitespace_free() -> None:
    value = {"b": [1, {"z": None, "a": True}], "a": {"y": "x", "x": []}}
    assert canonical_json(value) == b'{"a":{"x":[],"y":"x"},"b":[1,{"a":true,"z":null}]}'
    assert canonical_json(value) == canonical_json(json.loads(json.dumps(value, indent=2)))


def test_strings_are_utf8_with_minimal_escapes() -> None:
    value = "中文 é \u007f \u001f \t \"'\\ </script>"
    expected = '"中文 é \u007f \\u001f \\t \\"\'\\\\ </script>"'
    assert canonical_json(value) == expected.encode("utf-8")


# RFC 8785 Appendix B: IEEE 754 bit patterns and their serialisation.
APPENDIX_B = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), APPENDIX_B)
def test_numbers_serialise_as_rfc8785_appendix_b(bits: str, expected: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_json(number) == expected.encode("ascii")


def test_integers_and_whole_floats() -> None:
    assert canonical_json([0, -7, 2**53 - 1, 1.0, 1e20, 1e21]) == (
        b"[0,-7,9007199254740991,1,100000000000000000000,1e+21]"
    )


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_with_their_place(number: float) -> None:
    with pytest.raises(InvalidInputError, match=re.escape('is not a finite number at $["a"][1]')):
        canonical_json({"a": [1.0, number]})


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(
        InvalidInputError, match=r"key 1 is of type int, not a string at \$\[\"outer\"\]"
    ):
        canonical_json({"outer": {1: "one"}})


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (2**53, "integer 9007199254740992 is beyond"),
        ({"when": b"bytes"}, "type bytes is not a JSON value"),
        (["\ud800"], "lone surrogate"),
    ],
)
def test_other_unserialisable_values_are_refused(value: object, problem: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(problem)):
        canonical_json(value)


def test_content_hash_is_the_sha256_of_the_canonical_bytes() -> None:
    value = {"b": 1, "a": [1.5, "x"]}
    expected = "sha256:" + hashlib.sha256(b'{"a":[1.5,"x"],"b":1}').hexdigest()
    assert content_hash(value) == expected
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", content_hash(None))
    # Key order and formatting do not change the hash; content does.
    assert content_hash({"a": [1.5, "x"], "b": 1.0}) == expected
    assert content_hash({"a": [1.5, "x"], "b": 2}) != expected
