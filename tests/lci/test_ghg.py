"""Which elementary flows count as which greenhouse gas: names, CAS numbers, compartments."""

from __future__ import annotations

import pytest

from pcfhub.lci.ghg import classify, shipped_mapping
from pcfhub.lci.model import Flow, FlowKind
from pcfhub.lci.text import normalise_cas


def flow(name: str, category: str = "air/unspecified", cas: str | None = None) -> Flow:
    return Flow(id=name, name=name, kind=FlowKind.ELEMENTARY, unit="kg", category=category,
                cas=cas)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "category", "taken", "expected"),
    [
        ("Carbon dioxide, fossil", "air/unspecified", False, ("co2_fossil", "fossil", 1.0)),
        ("Carbon dioxide, fossil", "emission/air", False, ("co2_fossil", "fossil", 1.0)),
        ("Carbon dioxide, fossil", "water/unspecified", False, None),  # dissolved, not a GHG
        ("Carbon dioxide, biogenic", "air/low population density", False,
         ("co2_biogenic_emission", "biogenic", 1.0)),
        ("Carbon dioxide, in air", "resource/in air", True,
         ("co2_biogenic_removal", "biogenic", -1.0)),
        ("Carbon dioxide, in air", "resource/air", True,
         ("co2_biogenic_removal", "biogenic", -1.0)),
        ("Carbon dioxide", "resource/in ground", True, None),  # geological CO2 is no uptake
        ("Carbon dioxide, land transformation", "air/unspecified", False,
         ("co2_fossil", "land_use_change", 1.0)),
        ("Methane [Organic emissions to air]", "Elementary Flows/NETL", False,
         ("ch4_fossil", "fossil", 1.0)),
        ("Methane, biogenic", "", False, ("ch4_non_fossil", "biogenic", 1.0)),  # no compartment
        ("Dinitrogen monoxide", "Elementary Flows", False, ("n2o", "fossil", 1.0)),
        ("Methane, chlorodifluoro-, HCFC-22", "air/unspecified", False, None),  # not Kyoto
        ("Pit Methane (in MJ)", "resource/in ground", True, None),
    ],
)  # fmt: skip
def test_flows_are_classified_by_name_and_compartment(
    name: str, category: str, taken: bool, expected: tuple | None
) -> None:
    match = classify(flow(name, category), taken_from_nature=taken, mapping=shipped_mapping())
    assert (match and (match.gas, match.origin, match.sign)) == expected


def test_a_bare_cas_number_counts_as_the_fossil_gas() -> None:
    match = classify(flow("CO2 (unusual name)", cas="124-38-9"), taken_from_nature=False,
                     mapping=shipped_mapping())  # fmt: skip
    assert match is not None
    assert match.gas == "co2_fossil"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("000124-38-9", "124-38-9"), ("74-82-8", "74-82-8"), ("NaN", None), ("", None),
     ("124-38-8", None), (None, None)],  # a wrong check digit is no CAS number
)  # fmt: skip
def test_cas_numbers_are_normalised_and_checked(raw: str | None, expected: str | None) -> None:
    assert normalise_cas(raw) == expected


def test_ecoinvent_land_use_change_flows_are_reported_apart() -> None:
    mapping = shipped_mapping()
    for name, gas in (
        ("Carbon dioxide, from soil or biomass stock", "co2_fossil"),
        ("Methane, from soil or biomass stock", "ch4_non_fossil"),
    ):
        match = classify(flow(name), taken_from_nature=False, mapping=mapping)
        assert match is not None
        assert (match.gas, match.origin) == (gas, "land_use_change")


def test_every_gas_of_the_mapping_is_a_factor_gas_with_a_gwp() -> None:
    mapping = shipped_mapping()
    assert {"hfc_23", "c2f6", "nf3", "sf6"} <= set(mapping.by_name.values())
    assert mapping.by_cas["74-82-8"] == "ch4_fossil"  # the bare substance, not the biogenic one
