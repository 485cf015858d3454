"""Small battery and aluminium-sheet models on the accounting tests' factors, with their
declarations' numbers worked out by hand (test.grid 0.5 kg/kWh, test.steel 2.0 kg/kg,
test.truck 0.1 kg/t·km; CO2 fossil 1)."""

from __future__ import annotations

import uuid
from typing import Any

from pcfhub.accounting.calculate import AccountingResult, account
from pcfhub.accounting.model import ProductModel
from pcfhub.accounting.schemas import ResultPublic
from pcfhub.platform.db import utcnow
from tests.accounting.builders import resolved

#: Per kWh delivered (1,000 kWh over the pack's life): cells 10 kg steel = 20 kg; assembly
#: 100 kWh = 50 kg; 400 kg × 500 km by truck = 20 kg; recycling 10 kg CO2; use 5 kg CO2.
BATTERY_STAGES = {
    "raw_materials": 0.02,
    "production": 0.05,
    "distribution": 0.02,
    "end_of_life": 0.01,
    "use": 0.005,
}
BATTERY_TOTAL = 0.1  # kg CO2e/kWh, use stage excluded


def battery(*, per_piece: bool = False) -> dict[str, Any]:
    """A traction pack declared per kWh delivered (or per pack with ``per_piece``)."""
    life = {"amount": 1, "unit": "piece"} if per_piece else {"amount": 1000, "unit": "kWh"}
    return {
        "code": "test-pack",
        "product": {
            "name_en": "Test LFP pack",
            "name_zh": "测试磷酸铁锂电池包",
            "declared_unit": {"amount": 1, "unit": "piece" if per_piece else "kWh"},
            "boundary": "cradle_to_grave",
            "reference_period": ["2025-01-01", "2025-12-31"],
            "reference_process": "service",
        },
        "processes": [
            {
                "id": "service",
                "name": "Energy delivered over the life",
                "stage": "use",
                "output": life,
                "exchanges": [
                    {"kind": "process", "process": "pack", "amount": 1, "unit": "piece"},
                    {"kind": "process", "process": "delivery", "amount": 1, "unit": "piece"},
                    {"kind": "process", "process": "recycling", "amount": 1, "unit": "piece"},
                    {"kind": "emission", "gas": "co2_fossil", "amount": 5},
                ],
            },
            {
                "id": "pack",
                "name": "Pack assembly",
                "stage": "production",
                "location": "CN-CQ",
                "output": {"amount": 1, "unit": "piece"},
                "exchanges": [
                    {"kind": "electricity", "amount": 100, "grid": {"key": "test.grid"}},
                    {"kind": "process", "process": "cells", "amount": 1, "unit": "piece"},
                ],
            },
            {
                "id": "cells",
                "name": "Cells",
                "stage": "raw_materials",
                "output": {"amount": 1, "unit": "piece"},
                "exchanges": [
                    {
                        "kind": "activity",
                        "factor": {"key": "test.steel"},
                        "amount": 10,
                        "unit": "kg",
                    }
                ],
            },
            {
                "id": "delivery",
                "name": "Pack to the car plant",
                "stage": "distribution",
                "output": {"amount": 1, "unit": "piece"},
                "exchanges": [
                    {
                        "kind": "transport",
                        "factor": {"key": "test.truck"},
                        "mass": {"amount": 400, "unit": "kg"},
                        "distance": {"amount": 500, "unit": "km"},
                    }
                ],
            },
            {
                "id": "recycling",
                "name": "Recycling",
                "stage": "end_of_life",
                "output": {"amount": 1, "unit": "piece"},
                "exchanges": [{"kind": "emission", "gas": "co2_fossil", "amount": 10}],
            },
        ],
    }


#: Per tonne of sheet: rolling burns 200 kg CO2 (direct) and 1,000 kWh (500 kg, indirect);
#: 1.1 t ingot at 2.0 kg steel-factor CO2e + 0.5 kWh (0.25 kg) per kg: 2.2 t direct, 0.275 t
#: indirect;
#: 5 kg packaging (10 kg CO2e) left out.
SHEET = {
    "direct": 0.2,
    "indirect": 0.5,
    "mwh": 1.0,
    "factor": 0.5,
    "precursor_direct": 2.2,
    "precursor_indirect": 0.275,
    "precursor_t": 1.1,
    "total": 3.175,
}


def sheet(*, per_piece: bool = False) -> dict[str, Any]:
    """An aluminium sheet declared per tonne (or per coil of 2 t with ``per_piece``)."""
    coil = 2.0 if per_piece else 1.0
    return {
        "code": "test-sheet",
        "product": {
            "name_en": "Test aluminium sheet",
            "name_zh": "测试铝板",
            "declared_unit": {"amount": 1, "unit": "piece" if per_piece else "t"},
            "boundary": "cradle_to_gate",
            "reference_period": ["2025-01-01", "2025-12-31"],
            "reference_process": "rolling",
        },
        "processes": [
            {
                "id": "rolling",
                "name": "Casting and rolling",
                "stage": "production",
                "output": {"amount": 1, "unit": "piece" if per_piece else "t"},
                "exchanges": [
                    {"kind": "emission", "gas": "co2_fossil", "amount": 200 * coil},
                    {"kind": "electricity", "amount": 1000 * coil, "grid": {"key": "test.grid"}},
                    {"kind": "process", "process": "ingot", "amount": 1.1 * coil, "unit": "t"},
                    {
                        "kind": "activity",
                        "factor": {"key": "test.steel"},
                        "amount": 5 * coil,
                        "unit": "kg",
                        "packaging": True,
                    },
                ],
            },
            {
                "id": "ingot",
                "name": "Ingot",
                "stage": "raw_materials",
                "output": {"amount": 1, "unit": "kg"},
                "exchanges": [
                    {
                        "kind": "activity",
                        "factor": {"key": "test.steel"},
                        "amount": 1,
                        "unit": "kg",
                    },
                    {"kind": "electricity", "amount": 0.5, "grid": {"key": "test.grid"}},
                ],
            },
        ],
    }


def stored(data: dict[str, Any]) -> tuple[ResultPublic, ProductModel]:
    """The model accounted on the test factors, as if stored (no database)."""
    model = ProductModel.model_validate(data)
    result: AccountingResult = account(model, resolved(), iterations=0)
    public = ResultPublic(
        id=uuid.uuid5(uuid.NAMESPACE_URL, model.code),
        model_id=uuid.uuid5(uuid.NAMESPACE_URL, model.code + "/model"),
        organisation_id=uuid.uuid5(uuid.NAMESPACE_URL, model.code + "/organisation"),
        code=model.code,
        name_en=model.product.name_en,
        name_zh=model.product.name_zh,
        model_version=1,
        replaces_id=None,
        reason="calculated",
        headline=result.headline,
        total=result.result.total,
        location_total=result.location_based.total,
        market_total=result.market_based.total,
        declared_unit=result.declared_unit,
        complies=True,
        rule_code=None,
        rule_version=None,
        content_hash="sha256:" + "0" * 64,
        created_at=utcnow(),
        result=result,
    )
    return public, model


BATTERY_FIELDS = {
    "manufacturer_name": "Chongqing Test Battery Co., Ltd.",
    "manufacturer_address": "1 Test Road, Liangjiang, Chongqing, China",
    "battery_model": "TP-60-LFP",
    "manufacturing_plant": "Liangjiang plant, Chongqing, China",
    "declaration_of_conformity_id": "EU-DoC-2026-0042",
    "public_study_url": "https://example.org/studies/tp-60-lfp",
    "declaration_date": "2026-03-01",
}
CBAM_FIELDS = {
    "reporting_period": "2026-Q1",
    "cn_code": "7606 12 99",
    "quantity_t": 10.0,
    "installation_name": "Xinan rolling mill",
    "installation_country": "CN",
    "installation_address": "2 Test Road, Xinan, Chongqing, China",
    "production_route": "Rolling of purchased ingot",
}
