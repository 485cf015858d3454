"""A small greenhouse-gas mapping for tests of the readers and the solve (not the shipped one)."""

from __future__ import annotations

from pcfhub.lci.ghg import GhgMapping, normalise_name

TEST_MAPPING = GhgMapping(
    by_name={
        normalise_name(name): gas
        for name, gas in {
            "Carbon dioxide, fossil": "co2_fossil",
            "Carbon dioxide, biogenic": "co2_biogenic_emission",
            "Carbon dioxide, in air": "co2_biogenic_removal",
            "Methane, fossil": "ch4_fossil",
            "Methane, biogenic": "ch4_non_fossil",
            "Carbon dioxide": "co2_fossil",
            "Methane": "ch4_fossil",
            "Dinitrogen monoxide": "n2o",
            "Nitrous oxide": "n2o",
        }.items()
    },
    by_cas={"124-38-9": "co2_fossil", "74-82-8": "ch4_fossil", "10024-97-2": "n2o"},
)
