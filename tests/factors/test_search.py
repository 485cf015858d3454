"""Search over the shipped reference data, on both databases' full-text indexes."""

from __future__ import annotations

import pytest

from pcfhub.errors import UnitError
from pcfhub.factors import queries, reference, service
from pcfhub.factors.search import FactorQuery, fallback_chain
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from pcfhub.platform.model import Principal, Role
from tests.factors.builders import PROPRIETARY, acting, publish, record
from tests.platform.conftest import API, make_client, token_headers


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    sign_ins = {sign_in.organisation: sign_in for sign_in in seed_demo(platform)}
    with platform.unit_of_work() as uow:
        reference.import_shipped_reference(uow)
        uow.commit()
    return sign_ins


def viewer(sign_in: DemoSignIn) -> Principal:
    return Principal(
        organisation_id=sign_in.organisation_id, organisation_kind=sign_in.kind, role=Role.VIEWER
    )


def find(platform: Platform, who: DemoSignIn, **query: object) -> list[tuple[str, str, int]]:
    with platform.unit_of_work() as uow:
        page = queries.search_factors(
            uow, principal=viewer(who), query=FactorQuery.model_validate(query)
        )
    return [(v.lineage_key, v.data.geography, v.data.reference_year) for v in page.data]


def versions(platform: Platform, who: DemoSignIn, **query: object) -> list[tuple[str, int]]:
    """``(lineage key, version)`` of every match, in search order."""
    with platform.unit_of_work() as uow:
        page = queries.search_factors(
            uow, principal=acting(who), query=FactorQuery.model_validate({"limit": 200} | query)
        )
    return [(v.lineage_key, v.version) for v in page.data]


def test_the_fallback_goes_from_province_to_grid_to_country_to_global() -> None:
    assert fallback_chain("CN-CQ") == ["CN-CQ", "CN-GRID-SW", "CN", "GLO"]
    assert fallback_chain("CN-GRID-SW") == ["CN-GRID-SW", "CN", "GLO"]
    assert fallback_chain("CN-BJ") == ["CN-BJ", "CN", "GLO"]  # grid not traced: to CN
    assert fallback_chain("GLO") == ["GLO"]


def test_chinese_words_find_chinese_names(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    found = find(platform, demo["cq-laptop"], q="西南 电力", limit=50)
    assert found
    assert {geo for _, geo, _ in found} == {"CN-GRID-SW"}
    assert [year for _, _, year in found] == sorted((y for _, _, y in found), reverse=True)


def test_a_chongqing_query_takes_the_nearest_published_geography(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    query = {"q": "electricity grid", "geography": "CN-CQ", "boundary": "operation", "limit": 50}
    in_2023 = find(platform, demo["cq-laptop"], year=2023, **query)
    # Chongqing first, then its Southwest grid, then China; never another province or grid.
    rank = {"CN-CQ": 0, "CN-GRID-SW": 1, "CN": 2}
    geographies = [geo for _, geo, _ in in_2023]
    assert geographies == sorted(geographies, key=rank.__getitem__)
    assert set(geographies) == set(rank)
    # No factor describes 2020: the year filter is kept, not widened.
    assert find(platform, demo["cq-laptop"], year=2020, **query) == []
    in_sichuan = find(platform, demo["cq-laptop"], year=2022, **query | {"geography": "CN-SC"})
    assert [geo for _, geo, _ in in_sichuan][:2] == ["CN-SC", "CN-GRID-SW"]


def test_english_words_units_and_boundaries_filter(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    gas = find(platform, demo["cq-laptop"], q="natural gas", unit="MJ", boundary="combustion")
    assert [key for key, _, _ in gas] == ["ipcc2006.fuel.natural_gas.co2"]
    assert find(platform, demo["cq-laptop"], q="natural gas", unit="kg") == []
    with pytest.raises(UnitError):
        find(platform, demo["cq-laptop"], unit="bananas")


def test_search_over_http_pages_and_counts(platform: Platform, demo: dict[str, DemoSignIn]) -> None:
    client = make_client(platform)
    headers = token_headers(platform, client, demo["green-bank"].organisation_id)
    first = client.get(f"{API}/factors", params={"q": "电力", "limit": 5}, headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert len(body["data"]) == 5
    assert body["count"] > 5
    second = client.get(
        f"{API}/factors", params={"q": "电力", "limit": 5, "offset": 5}, headers=headers
    )
    ids = {v["id"] for v in body["data"]} & {v["id"] for v in second.json()["data"]}
    assert ids == set()
    bad = client.get(f"{API}/factors", params={"unit": "bananas"}, headers=headers)
    assert bad.status_code == 422


def test_a_page_beyond_the_end_still_counts_the_matches(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    with platform.unit_of_work() as uow:
        first = queries.search_factors(
            uow, principal=viewer(demo["buyer"]), query=FactorQuery(q="电力", limit=3)
        )
        beyond = queries.search_factors(
            uow, principal=viewer(demo["buyer"]), query=FactorQuery(q="电力", offset=10_000)
        )
    assert len(first.data) == 3
    assert beyond.data == []
    assert beyond.count == first.count > 3


def test_publisher_licence_and_status_filters_select_their_rows(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    maker, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    cells = {"publisher": "Chongqing Cells Ltd", "document": "EPD 2025-02", "year": 2025}
    with platform.unit_of_work() as uow:
        publish(uow, maker, reviewer, record(key="cq-battery.cell", source=cells))
        publish(uow, maker, reviewer, record(key="cq-battery.secret", licence=PROPRIETARY))
        publish(uow, maker, reviewer, record(key="cq-battery.pack", value=80.0))
        publish(uow, maker, reviewer, record(key="cq-battery.pack", value=79.0))
        recalled = publish(uow, maker, reviewer, record(key="cq-battery.recalled"))
        service.withdraw(uow, principal=maker, version_id=recalled)
        service.create_draft(uow, principal=maker, data=record(key="cq-battery.draft"))
        uow.commit()
    laptop = demo["cq-laptop"]

    # Publisher: part of the name, any case; the reference data's publishers too.
    assert versions(platform, laptop, publisher="Chongqing Cells") == [("cq-battery.cell", 1)]
    ipcc = versions(platform, laptop, publisher="ipcc")
    assert ipcc
    assert ipcc == versions(platform, laptop, publisher="IPCC")
    assert all(key.startswith("ipcc") for key, _ in ipcc)
    acme = {key for key, _ in versions(platform, laptop, publisher="Acme")}
    assert acme == {"cq-battery.secret", "cq-battery.pack"}

    # Licence: the proprietary factor alone, and never among the shareable ones.
    assert versions(platform, laptop, redistribution="none") == [("cq-battery.secret", 1)]
    shareable = {key for key, _ in versions(platform, laptop, redistribution="attribution")}
    assert {"cq-battery.cell", "cq-battery.pack"} <= shareable
    assert "cq-battery.secret" not in shareable
    assert versions(platform, laptop, redistribution="open", publisher="Acme") == []
    assert versions(platform, laptop, publisher="Chongqing_Cells") == []  # _ is no wildcard

    # Status: published by default; the replaced and the withdrawn versions on request.
    published = versions(platform, laptop, q="cq battery")
    assert sorted(published) == [("cq-battery.cell", 1), ("cq-battery.pack", 2),
                                 ("cq-battery.secret", 1)]  # fmt: skip
    assert versions(platform, laptop, status="superseded") == [("cq-battery.pack", 1)]
    assert versions(platform, laptop, status="withdrawn") == [("cq-battery.recalled", 1)]
    # A draft only for its contributor.
    assert versions(platform, laptop, status="draft") == []
    assert versions(platform, demo["cq-battery"], status="draft") == [("cq-battery.draft", 1)]


def test_a_factor_named_by_the_words_comes_before_a_longer_name_in_its_geography(
    platform: Platform, demo: dict[str, DemoSignIn]
) -> None:
    maker, reviewer = acting(demo["cq-battery"]), acting(demo["operator"])
    named = {"name_zh": "铝锭", "name_en": "Aluminium ingot", "activity": "material.aluminium"}
    longer = {
        "name_zh": "再生铝锭（消费后废铝重熔、铸造、轧制，含卡车运输至客户）",
        "name_en": "Aluminium ingot remelted from post-consumer scrap, cast, rolled and "
        "delivered by truck to the customer",
        "activity": "material.aluminium",
    }
    factors = [
        record(key="cq-battery.al", reference_year=2024, **named),
        # The longer name is newer: by year alone it would come first.
        record(key="cq-battery.al-remelted", reference_year=2025, **longer),
        record(key="cq-battery.al-cn", geography="CN", reference_year=2025, **named),
    ]
    with platform.unit_of_work() as uow:
        for data in factors:
            publish(uow, maker, reviewer, data)
        uow.commit()
    for words in ("aluminium ingot", "铝锭"):
        found = versions(platform, demo["cq-laptop"], q=words, geography="CN-CQ")
        # Chongqing before China whatever the fit; within Chongqing, the better fit first.
        assert [key for key, _ in found] == [
            "cq-battery.al", "cq-battery.al-remelted", "cq-battery.al-cn",
        ], words  # fmt: skip
    # Without words there is no fit to rank by: the newest first.
    found = versions(platform, demo["cq-laptop"], publisher="Acme", geography="CN-CQ")
    newest_first = ["cq-battery.al-remelted", "cq-battery.al", "cq-battery.al-cn"]
    assert [key for key, _ in found] == newest_first
