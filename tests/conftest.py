"""Small, hand-worked product systems shared by the tests."""

from __future__ import annotations

import pytest

from pcfhub.calc import ProductSystem


@pytest.fixture
def chain() -> ProductSystem:
    """Electricity (0) → steel (1) → bike (2), no loop.

    1 kWh emits 0.5 kg CO2; 1 kg steel uses 2 kWh and emits 1.5 kg CO2 and 0.01 kg CH4;
    a bike uses 10 kg steel and 5 kWh. Bike footprint (AR6, CH4 fossil 29.8):
    electricity 25 kWh · 0.5 = 12.5; steel 10 · (1.5 + 0.01 · 29.8) = 17.98; total 30.48.
    """
    return ProductSystem.from_arrays(
        technosphere=([0, 1, 2, 0, 1, 0], [0, 1, 2, 1, 2, 2], [1, 1, 1, -2, -10, -5]),
        biosphere=([0, 0, 1], [0, 1, 1], [0.5, 1.5, 0.01]),
        characterization=[1.0, 29.8],
        process_labels=["electricity", "steel", "bike"],
        flow_labels=["CO2", "CH4"],
        flow_origins=["fossil", "fossil"],
        process_groups=["raw_materials", "raw_materials", "production"],
    )


@pytest.fixture
def loop() -> ProductSystem:
    """Coal (0) and electricity (1) supply each other.

    1 kWh needs 0.4 kg coal and emits 1 kg CO2; 1 kg coal needs 0.25 kWh and emits 0.1 kg
    CH4 (fossil) and takes up 0.2 kg biogenic CO2 (tagged biogenic, factor 1).
    Supply for 1 kWh: e − 0.25 c = 1 and c − 0.4 e = 0 → e = 1/0.9, c = 0.4/0.9.
    """
    return ProductSystem.from_arrays(
        technosphere=([0, 1, 0, 1], [0, 1, 1, 0], [1.0, 1.0, -0.4, -0.25]),
        biosphere=([0, 1, 2], [1, 0, 0], [1.0, 0.1, -0.2]),
        characterization=[1.0, 29.8, 1.0],
        process_labels=["coal", "electricity"],
        flow_labels=["CO2 fossil", "CH4 fossil", "CO2 biogenic"],
        flow_origins=["fossil", "fossil", "biogenic"],
        process_groups=["mining", "power"],
    )
