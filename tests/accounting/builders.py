"""Small product models and factors the accounting tests build on.

The factors are illustrative (values chosen for sums worked out by hand); the shape of every
record is a real, valid factor.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from pcfhub.accounting.inventory import ResolvedFactor
from pcfhub.accounting.model import ProductModel
from pcfhub.factors.model import FactorData


def factor(
    key: str, unit: str, gases: dict[str, float], value: float, **changes: Any
) -> FactorData:
    data: dict[str, Any] = {
        "lineage_key": key,
        "name_zh": f"{key}（测试）",
        "name_en": f"{key} (test)",
        "activity": "test." + key.rsplit(".", 1)[-1],
        "value": value,
        "unit": unit,
        "gases": gases,
        "gwp_set": "AR6",
        "boundary": "cradle_to_gate",
        "geography": "CN",
        "reference_year": 2024,
        "source": {"publisher": "pcfhub tests", "document": "illustrative", "year": 2026},
        "licence": {"identifier": "CC0-1.0", "redistribution": "open"},
    }
    return FactorData.model_validate(data | changes)


#: kg CO2e per unit, AR6: steel 1.702 CO2 + 0.01 CH4 × 29.8 = 2.0.
FACTORS = {
    "test.grid": factor("test.grid", "kWh", {"co2_fossil": 0.5}, 0.5),
    "test.residual": factor("test.residual", "kWh", {"co2_fossil": 0.6}, 0.6),
    "test.wind": factor("test.wind", "kWh", {"co2_fossil": 0.0336}, 0.0336),
    "test.steel": factor("test.steel", "kg", {"co2_fossil": 1.702, "ch4_fossil": 0.01}, 2.0),
    "test.truck": factor("test.truck", "t*km", {"co2_fossil": 0.1}, 0.1),
    "test.wood": factor(
        "test.wood",
        "kg",
        {"co2_biogenic_emission": 0.2, "co2_biogenic_removal": 1.5, "co2_fossil": 0.3},
        -1.0,
    ),
    "test.co2e-only": factor("test.co2e-only", "kg", {}, 3.0, gwp_set="AR5"),
}


def resolved(*keys: str) -> dict[tuple[str, int | None], ResolvedFactor]:
    """The factors by (key, None) as the service resolves unpinned references."""
    found = {}
    for key in keys or tuple(FACTORS):
        data = FACTORS[key]
        digest = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
        found[(key, None)] = ResolvedFactor(
            version_id=uuid.uuid5(uuid.NAMESPACE_URL, key),
            key=key,
            version=1,
            content_hash=f"sha256:{digest}",
            data=data,
        )
    return found


def widget(**changes: Any) -> dict[str, Any]:
    """A widget: assembly (10 kWh, 4 of them wind certificates; 2 kg frame; 1 g CH4; 2 kg
    over 500 km by truck) and its steel frame (1.1 kg steel per kg)."""
    data: dict[str, Any] = {
        "code": "widget",
        "product": {
            "name_en": "Widget",
            "name_zh": "小部件",
            "category": "test.widgets",
            "declared_unit": {"amount": 1, "unit": "piece"},
            "boundary": "cradle_to_gate",
            "reference_period": ["2025-01-01", "2025-12-31"],
            "reference_process": "assembly",
        },
        "processes": [
            {
                "id": "assembly",
                "name": "Assembly",
                "stage": "production",
                "location": "CN-CQ",
                "output": {"amount": 1, "unit": "piece"},
                "exchanges": [
                    {
                        "kind": "electricity",
                        "amount": 10,
                        "unit": "kWh",
                        "grid": {"key": "test.grid"},
                        "data_type": "primary",
                        "instruments": [
                            {
                                "type": "green_certificate",
                                "amount": 4,
                                "factor": {"key": "test.wind"},
                            }
                        ],
                    },
                    {
                        "kind": "process",
                        "process": "frame",
                        "amount": 2,
                        "unit": "kg",
                        "data_type": "primary",
                    },
                    {
                        "kind": "emission",
                        "gas": "ch4_fossil",
                        "amount": 1,
                        "unit": "g",
                        "data_type": "primary",
                    },
                    {
                        "kind": "transport",
                        "factor": {"key": "test.truck"},
                        "mass": {"amount": 2, "unit": "kg"},
                        "distance": {"amount": 500, "unit": "km"},
                    },
                ],
            },
            {
                "id": "frame",
                "name": "Steel frame",
                "stage": "raw_materials",
                "output": {"amount": 1, "unit": "kg"},
                "exchanges": [
                    {
                        "kind": "activity",
                        "factor": {"key": "test.steel"},
                        "amount": 1.1,
                        "unit": "kg",
                    }
                ],
            },
        ],
    }
    data.update(changes)
    return data


def model(data: dict[str, Any] | None = None) -> ProductModel:
    return ProductModel.model_validate(data or widget())
