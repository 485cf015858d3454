"""EcoSpold 2 and EcoSpold 1 files built here, one per defect real releases show."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pcfhub.errors import DataFileError
from pcfhub.lci.ecospold1 import read_ecospold1
from pcfhub.lci.ecospold2 import read_ecospold2
from pcfhub.lci.footprints import compute_footprints
from pcfhub.lci.linking import link
from tests.lci.mapping import TEST_MAPPING

ES2 = "http://www.EcoInvent.org/EcoSpold02"
ES1 = "http://www.EcoInvent.org/EcoSpold01"


def spold(activity_id: str, name: str, exchanges: str, location: str = "CN") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ecoSpold xmlns="{ES2}"><activityDataset><activityDescription>
<activity id="{activity_id}"><activityName xml:lang="en">{name}</activityName></activity>
<geography><shortname xml:lang="en">{location}</shortname></geography>
</activityDescription><flowData>{exchanges}</flowData></activityDataset></ecoSpold>"""


def intermediate(flow: str, exchange: str, amount: float, unit: str, group: str, **attrs) -> str:
    extra = "".join(f' {key}="{value}"' for key, value in attrs.items())
    return (
        f'<intermediateExchange intermediateExchangeId="{flow}" id="{exchange}" '
        f'amount="{amount}"{extra}><name xml:lang="en">{flow}</name>'
        f'<unitName xml:lang="en">{unit}</unitName>{group}</intermediateExchange>'
    )


def elementary(flow: str, name: str, exchange: str, amount: float, compartment: str = "") -> str:
    where = (
        f"<compartment><compartment>{compartment}</compartment>"
        "<subcompartment>unspecified</subcompartment></compartment>"
        if compartment else ""
    )  # fmt: skip
    return (
        f'<elementaryExchange elementaryExchangeId="{flow}" id="{exchange}" amount="{amount}">'
        f'<name xml:lang="en">{name}</name><unitName xml:lang="en">kg</unitName>{where}'
        "<outputGroup>4</outputGroup></elementaryExchange>"
    )


OUT0, OUT2, IN5 = (
    "<outputGroup>0</outputGroup>",
    "<outputGroup>2</outputGroup>",
    ("<inputGroup>5</inputGroup>"),
)


def write_es2(folder: Path) -> Path:
    """Electricity (kWh) and steel (kg) using 2 kWh given in MWh; steel's CO2 lacks a
    compartment; the electricity's CH4 exchange repeats the id of its CO2 exchange."""
    folder.mkdir()
    (folder / "electricity.spold").write_text(spold("a-electricity", "Electricity", (
        intermediate("electricity", "x1", 1.0, "kWh", OUT0)
        + elementary("co2", "Carbon dioxide, fossil", "x2", 0.5, "air")
        + elementary("ch4", "Methane, fossil", "x2", 0.001, "air")
    )))  # fmt: skip
    (folder / "steel.spold").write_text(spold("a-steel", "Steel", (
        intermediate("steel", "y1", 1.0, "kg", OUT0)
        + intermediate("electricity", "y2", 0.002, "MWh", IN5, activityLinkId="a-electricity")
        + elementary("co2-no-compartment", "Carbon dioxide, fossil", "y3", 1.8)
    )))  # fmt: skip
    return folder


def test_ecospold2_reads_units_links_and_repeated_ids(tmp_path: Path) -> None:
    inventory = read_ecospold2(write_es2(tmp_path / "es2"))
    assert inventory.source_format == "EcoSpold 2"
    assert (len(inventory.processes), inventory.exchange_count) == (2, 6)
    steel_input = [e for e in inventory.processes["a-steel"].exchanges if e.is_input]
    assert [(e.amount, e.provider_id) for e in steel_input] == [(pytest.approx(2.0),
                                                                 "a-electricity")]  # fmt: skip
    fields = sorted(w.field for w in inventory.warnings)
    assert fields == ["compartment", "elementaryExchange[2]"]
    linked = link(inventory, file="es2")
    footprints = compute_footprints(inventory, linked, mapping=TEST_MAPPING)
    steel = next(i for i, p in enumerate(linked.providers) if p.flow_id == "steel")
    assert footprints.co2e[steel] == pytest.approx(1.8 + 2 * (0.5 + 0.001 * 29.8), rel=1e-12)


def test_ecospold2_in_a_zip_and_errors_that_name_file_and_field(tmp_path: Path) -> None:
    folder = write_es2(tmp_path / "es2")
    archive = tmp_path / "es2.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        for path in folder.iterdir():
            handle.write(path, path.name)
    assert len(read_ecospold2(archive).processes) == 2
    bad = folder / "steel.spold"
    bad.write_text(bad.read_text().replace('amount="1.8"', 'amount="a lot"'))
    with pytest.raises(DataFileError, match=r"es2, steel\.spold, process 'Steel' \(a-steel\), "
                       r"elementaryExchange\[2\], amount: 'a lot' is not a number"):  # fmt: skip
        read_ecospold2(folder)
    bad.write_text("<ecoSpold><unclosed></ecoSpold>")
    with pytest.raises(DataFileError, match=r"es2, steel\.spold, line 1, column \d+: not well"):
        read_ecospold2(folder)
    bad.write_text('<!DOCTYPE x [<!ENTITY a "aaaa">]><ecoSpold>&a;</ecoSpold>')
    with pytest.raises(DataFileError, match=r"es2, steel\.spold: refused"):
        read_ecospold2(folder)


def es1_exchange(number: str, name: str, unit: str, value: float, group: str, **attrs) -> str:
    extra = "".join(f' {key}="{value}"' for key, value in attrs.items())
    return (
        f'<exchange number="{number}" name="{name}" unit="{unit}" meanValue="{value}"{extra}>'
        f"{group}</exchange>"
    )


def es1_dataset(number: str, name: str, unit: str, exchanges: str, extra: str = "") -> str:
    return (
        f'<dataset number="{number}"><metaInformation><processInformation>'
        f'<referenceFunction name="{name}" unit="{unit}" amount="1.0" category="c" '
        f'subCategory="s"/><geography location="CN"/></processInformation></metaInformation>'
        f"<flowData>{exchanges}{extra}</flowData></dataset>"
    )


def test_ecospold1_tolerates_nan_cas_and_repeated_numbers_and_applies_allocation(
    tmp_path: Path,
) -> None:
    out4 = "<outputGroup>4</outputGroup>"
    electricity = es1_dataset("1", "Electricity", "kWh", (
        es1_exchange("10", "Electricity", "kWh", 1.0, OUT0)
        + es1_exchange("11", "Carbon dioxide, fossil", "kg", 0.5, out4, category="air",
                       subCategory="unspecified", CASNumber="NaN")
        + es1_exchange("11", "Methane, fossil", "kg", 0.001, out4, category="air",
                       subCategory="unspecified", CASNumber="74-82-8")
    ))  # fmt: skip
    allocation = "".join(
        f'<allocation referenceToCoProduct="{product}" allocationMethod="0" fraction="{share}">'
        '<referenceToInputOutput>22</referenceToInputOutput>'
        '<referenceToInputOutput>23</referenceToInputOutput></allocation>'
        for product, share in (("20", 80), ("21", 20))
    )  # fmt: skip
    steel = es1_dataset("2", "Steel", "kg", (
        es1_exchange("20", "Steel", "kg", 1.0, OUT0)
        + es1_exchange("21", "Slag", "kg", 0.25, OUT2)
        + es1_exchange("22", "Electricity", "kWh", 2.0, "<inputGroup>5</inputGroup>",
                       location="CN")
        + es1_exchange("23", "Carbon dioxide, fossil", "kg", 1.8, out4, category="air",
                       subCategory="unspecified")
    ), allocation)  # fmt: skip
    path = tmp_path / "one.xml"
    path.write_text(f'<?xml version="1.0"?><ecoSpold xmlns="{ES1}">{electricity}{steel}</ecoSpold>')
    inventory = read_ecospold1(path)
    assert (len(inventory.processes), inventory.exchange_count) == (2, 7)
    assert sorted(w.field for w in inventory.warnings) == [
        "exchange.CASNumber", "exchange[2].number"
    ]  # fmt: skip
    linked = link(inventory, file="one.xml")
    assert [a.method for a in linked.allocations] == ["causal (data)"]
    footprints = compute_footprints(inventory, linked, mapping=TEST_MAPPING)
    per_kwh = 0.5 + 0.001 * 29.8
    by_name = {inventory.flows[p.flow_id].name: footprints.co2e[i]
               for i, p in enumerate(linked.providers)}  # fmt: skip
    assert by_name["Steel"] == pytest.approx(0.8 * (1.8 + 2 * per_kwh), rel=1e-12)
    assert by_name["Slag"] == pytest.approx(0.2 * (1.8 + 2 * per_kwh) / 0.25, rel=1e-12)


def test_ecospold1_errors_name_file_dataset_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    dataset = es1_dataset("7", "Steel", "kg", es1_exchange("1", "Steel", "kg", 1.0, ""))
    path.write_text(f'<ecoSpold xmlns="{ES1}">{dataset}</ecoSpold>')
    with pytest.raises(DataFileError, match=r"bad\.xml, bad\.xml, process 'Steel' \(7\), "
                       r"exchange\[0\]: neither inputGroup nor outputGroup"):  # fmt: skip
        read_ecospold1(path)
    path.write_text('<other xmlns="urn:x"/>')
    with pytest.raises(DataFileError, match="not an EcoSpold 1 document"):
        read_ecospold1(path)
