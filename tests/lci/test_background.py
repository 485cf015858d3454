"""A product model linked to processes of an imported LCI release: one system, contributions
reaching into the background, on both databases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pcfhub.demo import load_model
from pcfhub.errors import DataFileError
from pcfhub.lci import service
from pcfhub.lci.background import BACKGROUND_GROUP
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.factors.builders import acting
from tests.lci.builders import P_ELECTRICITY, P_STEEL, STEEL, PackageBuilder
from tests.lci.test_jsonld import PER_MJ, STEEL_PER_KG
from tests.lci.test_service import OPTIONS
from tests.support.shared import uslci_archive

MODEL = """
[meta]
name = "Bracket (illustrative)"
illustrative = true
declared_unit = "piece"
reference_process = "bracket"
gwp_set = "AR6"

[[flows]]
id = "co2"
name = "Carbon dioxide, fossil"
gas = "CO2"
origin = "fossil"

[factors.own]
value = 1.0
unit = "kg/kg"
description = "illustrative: 1 kg of CO2 per kg, for the test"
publisher = "pcfhub tests"
document = "illustrative"
table = "-"
year = 2025

[[processes]]
id = "bracket"
name = "Steel bracket, forming"
unit = "piece"
stage = "production"
inputs = [
  {{ lci = "{lci}", process = "{steel}", product = "{product}", amount = 2, unit = "kg" }},
  {{ lci = "{lci}", process = "{electricity}", amount = 0.5, unit = "kWh" }},
]
emissions = [{{ flow = "co2", factor = "own", activity = 0.1, activity_unit = "kg" }}]
"""


def write_model(tmp_path: Path, **names: str) -> Path:
    path = tmp_path / "bracket.toml"
    path.write_text(MODEL.format(**names), encoding="utf-8")
    return path


def test_a_model_links_background_processes_and_sees_into_them(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    package = PackageBuilder(v1=True).standard().write_zip(tmp_path / "lci.zip")
    reader = acting(demo["cq-laptop"])
    with platform.unit_of_work() as uow:
        service.import_release(uow, principal=acting(demo["operator"]), path=package,
                               options=OPTIONS)  # fmt: skip
        uow.commit()

    def source(database: str, release: str):
        with platform.unit_of_work(read_only=True) as uow:
            return service.background_of(uow, principal=reader, database=database,
                                         release=release)  # fmt: skip

    path = write_model(tmp_path, lci="Test LCI/R1", steel=P_STEEL, product=STEEL,
                       electricity=P_ELECTRICITY)  # fmt: skip
    model = load_model(path, background=source)
    lca = model.system.factorize()
    result = lca.footprint({model.reference: 1.0})
    expected = 2 * STEEL_PER_KG + 0.5 * 3.6 * PER_MJ + 0.1
    assert result.score == pytest.approx(expected, rel=1e-12)
    # Contribution analysis reaches the background's own processes.
    by_group = result.by_group()
    assert by_group[BACKGROUND_GROUP] == pytest.approx(expected - 0.1, rel=1e-12)
    contributions = dict(zip(model.system.process_labels, result.process_contributions,
                             strict=True))  # fmt: skip
    assert contributions["Electricity, at grid"] > 0  # upstream of the linked steel too
    assert model.system.n_processes == 1 + 3
    missing = write_model(tmp_path, lci="Test LCI/R9", steel=P_STEEL, product=STEEL,
                          electricity=P_ELECTRICITY)  # fmt: skip
    with pytest.raises(DataFileError, match="no imported release Test LCI R9"):
        load_model(missing, background=source)
    with pytest.raises(DataFileError, match="links an LCI release, but no database"):
        load_model(path)


def test_a_model_linked_to_uslci_equals_the_published_footprint(
    platform: Platform, demo: dict[str, DemoSignIn], tmp_path: Path
) -> None:
    archive = uslci_archive("uslci_fy18_q1_ecospold2.zip")
    with platform.unit_of_work() as uow:
        release = service.import_release(
            uow, principal=acting(demo["operator"]), path=archive,
            options=OPTIONS.model_copy(update={"database": "USLCI", "release": "FY18"}),
        )  # fmt: skip
        uow.commit()
    reader = acting(demo["cq-laptop"])
    with platform.unit_of_work(read_only=True) as uow:
        products = service.list_products(uow, principal=reader, release_id=release.id,
                                         q="Electricity at grid US 2008", limit=5).data  # fmt: skip
        background = service.background_of(uow, principal=reader, database="USLCI",
                                           release="FY18")  # fmt: skip
    grid = products[0]
    steel_line = next(line for line in MODEL.splitlines() if "{steel}" in line)
    model_text = MODEL.replace(steel_line + "\n", "").format(
        lci="USLCI/FY18", electricity=grid.process_id
    )
    path = tmp_path / "grid.toml"
    path.write_text(model_text, encoding="utf-8")
    model = load_model(path, background=lambda database, release: background)
    result = model.system.factorize().footprint({model.reference: 1.0})
    per_kwh = grid.co2e * (3.6 if grid.unit == "MJ" else 1.0)
    assert result.score == pytest.approx(0.5 * per_kwh + 0.1, rel=1e-9)
    assert model.system.n_processes == 1 + release.counts["products"]
    assert np.count_nonzero(result.process_contributions[1:]) > 10  # the grid's supply chain
