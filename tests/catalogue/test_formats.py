"""Catalogue and rules files in TOML, YAML and JSON; every problem is named by file and path."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from pcfhub.catalogue.formats import MAX_DOCUMENT_BYTES, path_of, read_document
from pcfhub.catalogue.model import CatalogueData
from pcfhub.errors import DataFileError
from tests.catalogue.builders import catalogue, catalogue_record, rule_record

CATALOGUE_TOML = """
title_zh = "测试名录"
title_en = "Test catalogue"
effective_from = 2026-01-01

[sources.hs]
publisher = "WCO"
document = "HS 2022"
year = 2022

[[sectors]]
code = "nev"
name_zh = "新能源汽车"
name_en = "New-energy vehicles"

[[sectors.categories]]
code = "nev.battery"
name_zh = "动力电池包"
name_en = "Traction battery pack"
hs_codes = ["8507.60"]
management = "required"
code_sources = { "8507.60" = "hs" }
"""


def test_the_same_catalogue_reads_from_toml_yaml_and_json() -> None:
    from_toml = read_document("c.toml", CATALOGUE_TOML.encode())
    record = catalogue_record()
    from_json = read_document("c.json", json.dumps(record).encode())
    from_yaml = read_document("c.yml", yaml.safe_dump(record, allow_unicode=True).encode())
    assert isinstance(from_toml, CatalogueData)
    assert from_toml.category("nev.battery").code_sources == {"8507.60": "hs"}
    assert from_json == from_yaml == catalogue()


def test_rules_read_as_a_list_or_as_one_rule() -> None:
    many = read_document(
        "r.json", json.dumps({"rules": [rule_record("a"), rule_record("b")]}).encode()
    )
    one = read_document("r.yaml", yaml.safe_dump(rule_record("c")).encode())
    assert [r.code for r in many] == ["a", "b"]
    assert [r.code for r in one] == ["c"]


def test_every_problem_names_the_file_and_the_path_in_the_document() -> None:
    record = catalogue_record()
    record["sectors"][1]["categories"][0]["hs_codes"] = ["0902.10", "09O2"]
    record["sectors"][0]["categories"][1]["management"] = "sometimes"
    with pytest.raises(DataFileError) as caught:
        read_document("bad.json", json.dumps(record).encode())
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("bad.json, sectors[0].categories[1].management: Input should be")
    assert lines[1].startswith(
        "bad.json, sectors[1].categories[0].hs_codes[1]: String should match"
    )


def test_rule_problems_name_the_rule_and_duplicate_codes_are_refused() -> None:
    rules = {"rules": [rule_record("a"), rule_record("b", unit_kind="both"), rule_record("a")]}
    with pytest.raises(DataFileError) as caught:
        read_document("r.json", json.dumps(rules).encode())
    message = str(caught.value)
    assert "r.json, rules[1].unit_kind: Input should be 'declared' or 'functional'" in message
    assert "r.json, rules: code(s) a appear twice." in message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("c.txt", b"x", "not a .toml, .yaml, .yml or .json file"),
        ("c.toml", b"title = ", "not valid TOML"),
        ("c.json", b"{", "not valid JSON"),
        ("c.yaml", b"a: [", "not valid YAML"),
        ("c.json", b"[1, 2]", "must be a table"),
        ("c.json", b'{"title": "x"}', "neither a catalogue"),
        ("c.json", b"\xff\xfe\x00", "not UTF-8"),
        ("c.json", b"[" * 100_000, "nested too deeply"),
        ("c.json", b" " * (MAX_DOCUMENT_BYTES + 1), "larger than"),
        ("r.json", b'{"rules": []}', "give a list of one or more rules"),
    ],
)
def test_unreadable_files_are_data_file_errors(name: str, content: bytes, expected: str) -> None:
    with pytest.raises(DataFileError, match=expected):
        read_document(name, content)


def test_paths_quote_keys_that_are_not_names() -> None:
    assert (
        path_of(("sectors", 2, "categories", 0, "hs_codes", 1))
        == "sectors[2].categories[0].hs_codes[1]"
    )
    assert path_of(("code_sources", "8507.60")) == "code_sources['8507.60']"
    assert path_of(()) == "(document)"


def test_the_examples_of_docs_catalogue_md_are_valid_documents() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "catalogue.md"
    text = docs.read_text(encoding="utf-8")
    toml_block = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    yaml_block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    example = read_document("example.toml", toml_block.encode())
    assert isinstance(example, CatalogueData)
    assert example.unsourced_codes() == []
    [methanol] = read_document("example.yaml", yaml_block.encode())
    assert (methanol.code, methanol.standard) == ("cq.methanol", "T/CPCIF 0467-2025")
    record = catalogue_record()
    record["sectors"][0]["categories"][0]["hs_codes"] = ["8507.60", "85"]
    with pytest.raises(DataFileError) as caught:
        read_document("v2.json", json.dumps(record).encode())
    documented = re.search(r"v2\.toml, (sectors\[\d\]\.categories\[\d\]\.hs_codes\[1\]: .*)", text)
    assert str(caught.value) == f"v2.json, {documented.group(1).replace('[2]', '[0]', 1)}"
