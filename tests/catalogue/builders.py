"""Small catalogue and rule documents for the tests, built from plain dicts so that a test can
change one field. The codes are real (HS 2022); the rules are illustrative."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from pcfhub.catalogue.model import CatalogueData, RuleData
from pcfhub.platform.demo import DemoSignIn
from pcfhub.platform.model import Principal, Role

HS = "wco-hs2022"


def rule_record(code: str = "t.battery", **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "code": code,
        "title_zh": "测试电池规则",
        "title_en": "Test battery rule",
        "effective_from": "2026-01-01",
        "unit_kind": "functional",
        "unit": "kWh",
        "unit_description": "1 kWh delivered over the service life",
        "boundary": "cradle_to_grave",
        "mandatory_stages": ["raw_materials", "production"],
    }
    record.update(changes)
    return record


def rule(code: str = "t.battery", **changes: Any) -> RuleData:
    return RuleData.model_validate(rule_record(code, **changes))


def catalogue_record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "title_zh": "测试名录",
        "title_en": "Test catalogue",
        "effective_from": "2026-01-01",
        "sources": {HS: {"publisher": "WCO", "document": "HS 2022", "year": 2022}},
        "sectors": [
            {
                "code": "nev",
                "name_zh": "新能源汽车",
                "name_en": "New-energy vehicles",
                "categories": [
                    {
                        "code": "nev.battery",
                        "name_zh": "动力电池包",
                        "name_en": "Traction battery pack",
                        "hs_codes": ["8507.60"],
                        "management": "required",
                        "rule_code": "t.battery",
                        "code_sources": {"8507.60": HS},
                    },
                    {
                        "code": "nev.car",
                        "name_zh": "纯电动乘用车",
                        "name_en": "Battery-electric car",
                        "hs_codes": ["8703.80"],
                        "management": "encouraged",
                        "code_sources": {"8703.80": HS},
                    },
                ],
            },
            {
                "code": "farm",
                "name_zh": "特色农产品",
                "name_en": "Farm products",
                "categories": [
                    {
                        "code": "farm.tea",
                        "name_zh": "绿茶",
                        "name_en": "Green tea",
                        "hs_codes": ["0902.10"],
                        "management": "voluntary",
                        "code_sources": {"0902.10": HS},
                    }
                ],
            },
        ],
    }
    record.update(changes)
    return copy.deepcopy(record)


def catalogue(**changes: Any) -> CatalogueData:
    return CatalogueData.model_validate(catalogue_record(**changes))


def next_catalogue(effective_from: str = "2026-07-01") -> CatalogueData:
    """Version 2 of the test catalogue: tea renamed and moved to rule t.farm, the car removed,
    oranges added, the title changed."""
    record = catalogue_record(effective_from=effective_from, title_en="Test catalogue, 2nd")
    farm = record["sectors"][1]
    farm["categories"][0]["name_en"] = "Green tea, packed"
    farm["categories"][0]["rule_code"] = "t.farm"
    farm["categories"].append({
        "code": "farm.orange", "name_zh": "鲜橙", "name_en": "Oranges", "hs_codes": ["0805.10"],
        "management": "voluntary", "code_sources": {"0805.10": HS},
    })  # fmt: skip
    del record["sectors"][0]["categories"][1]
    return CatalogueData.model_validate(record)


def acting(sign_in: DemoSignIn, role: Role = Role.ADMIN) -> Principal:
    return Principal(
        organisation_id=sign_in.organisation_id, organisation_kind=sign_in.kind, role=role,
        user_id=sign_in.user_id,
    )  # fmt: skip


def day(text: str) -> date:
    return date.fromisoformat(text)
