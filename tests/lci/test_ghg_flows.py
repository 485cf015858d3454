"""The shipped greenhouse-gas flow mapping (data/lci/ghg_flows.csv) is consistent data.

Read with the standard library, independently of the loader, then compared with what
`pcfhub.lci.ghg.shipped_mapping` makes of it. The CAS check digit, worked by hand for CO2:
124-38-9 → digits 1 2 4 3 8 from the right weighted 1…5: 8·1 + 3·2 + 4·3 + 2·4 + 1·5 = 39 → 9.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from importlib import resources

from pcfhub.factors import gwp
from pcfhub.factors.model import Gas
from pcfhub.lci.ghg import normalise_name, shipped_mapping

COLUMNS = ["gas", "cas", "name", "match", "origin", "source", "note"]
MATCHES = {"cas_and_name", "name"}
ORIGINS = {"", "fossil", "biogenic", "non_fossil", "removal", "land_use_change"}
# Gases told apart from their substance by the flow's name, never by its CAS number.
NAMED_VARIANTS = {"co2_biogenic_emission", "co2_biogenic_removal", "ch4_non_fossil"}
CAS = re.compile(r"^[1-9]\d{1,6}-\d{2}-\d$")


def rows() -> list[dict[str, str]]:
    path = resources.files("pcfhub") / "data" / "lci" / "ghg_flows.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def check_digit_ok(cas: str) -> bool:
    """The CAS rule: the last digit is Σ digit × its position from the right, modulo 10."""
    *body, check = cas.replace("-", "")
    weighted = sum(int(digit) * place for place, digit in enumerate(reversed(body), start=1))
    return weighted % 10 == int(check)


def test_the_check_digit_rule_by_hand() -> None:
    assert check_digit_ok("124-38-9")
    assert check_digit_ok("10024-97-2")
    assert not check_digit_ok("124-38-8")


def test_every_gas_is_a_gas_with_a_gwp_in_every_shipped_set() -> None:
    members = {gas.value for gas in Gas}
    for number, row in enumerate(rows(), start=2):
        assert row["gas"] in members, f"row {number}: {row['gas']!r} is no Gas"
        for name in gwp.set_names():
            assert gwp.gwp100(name)[row["gas"]] > 0, f"row {number}: no {name} GWP"


def test_cas_numbers_are_normalised_and_have_a_valid_check_digit() -> None:
    for number, row in enumerate(rows(), start=2):
        if row["cas"]:
            assert CAS.match(row["cas"]), f"row {number}: {row['cas']!r} is not like 124-38-9"
            assert check_digit_ok(row["cas"]), f"row {number}: {row['cas']} check digit"


def test_no_pair_of_cas_and_name_twice_and_one_gas_per_name() -> None:
    data = rows()
    pairs = Counter((row["cas"], row["name"]) for row in data)
    assert [pair for pair, count in pairs.items() if count > 1] == []
    # Names equal once normalised as the loader does ("Methane [Organic emissions to air]" is
    # "methane") must not disagree on the gas.
    gases_by_name = defaultdict(set)
    for row in data:
        gases_by_name[normalise_name(row["name"])].add(row["gas"])
    assert {name: gases for name, gases in gases_by_name.items() if len(gases) > 1} == {}


def test_every_row_has_a_name_a_match_an_origin_and_a_source() -> None:
    for number, row in enumerate(rows(), start=2):
        assert row["name"].strip(), f"row {number}: no name"
        assert row["match"] in MATCHES, f"row {number}: match {row['match']!r}"
        assert row["origin"] in ORIGINS, f"row {number}: origin {row['origin']!r}"
        assert row["source"].strip(), f"row {number}: no source"


def test_each_cas_number_is_on_one_cas_and_name_row() -> None:
    data = rows()
    for number, row in enumerate(data, start=2):
        assert bool(row["cas"]) == (row["match"] == "cas_and_name"), f"row {number}"
    counts = Counter(row["cas"] for row in data if row["cas"])
    assert [cas for cas, count in counts.items() if count > 1] == []


def test_every_gas_has_a_row_and_each_substance_its_cas_number() -> None:
    data = rows()
    assert {row["gas"] for row in data} == {gas.value for gas in Gas}
    with_cas = {row["gas"] for row in data if row["cas"]}
    assert with_cas == {gas.value for gas in Gas} - NAMED_VARIANTS
    # CO2 and CH4 by CAS alone are fossil; a name decides biogenic, non-fossil or in air.
    by_cas = {row["cas"]: row["gas"] for row in data if row["cas"]}
    assert (by_cas["124-38-9"], by_cas["74-82-8"]) == ("co2_fossil", "ch4_fossil")


def test_the_loader_reads_the_same_mapping() -> None:
    data = rows()
    mapping = shipped_mapping()
    assert dict(mapping.by_cas) == {row["cas"]: row["gas"] for row in data if row["cas"]}
    for row in data:
        assert mapping.by_name[normalise_name(row["name"])] == row["gas"], row["name"]
    # Near misses stay unmapped: HCFC-22 is an ozone-depleting substance outside the basket.
    assert normalise_name("Methane, chlorodifluoro-, HCFC-22") not in mapping.by_name
    assert "75-45-6" not in mapping.by_cas
