"""Search over the shipped reference data, on both databases' full-text indexes."""

from __future__ import annotations

import pytest

from pcfhub.errors import UnitError
from pcfhub.factors import service
from pcfhub.factors.search import FactorQuery, fallback_chain
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from pcfhub.platform.model import Principal, Role
from tests.platform.conftest import API, make_client, token_headers


@pytest.fixture
def demo(platform: Platform) -> dict[str, DemoSignIn]:
    sign_ins = {sign_in.organisation: sign_in for sign_in in seed_demo(platform)}
    with platform.unit_of_work() as uow:
        service.import_shipped_reference(uow)
        uow.commit()
    return sign_ins


def viewer(sign_in: DemoSignIn) -> Principal:
    return Principal(
        organisation_id=sign_in.organisation_id, organisation_kind=sign_in.kind, role=Role.VIEWER
    )


def find(platform: Platform, who: DemoSignIn, **query: object) -> list[tuple[str, str, int]]:
    with platform.unit_of_work() as uow:
        page = service.search_factors(
            uow, principal=viewer(who), query=FactorQuery.model_validate(query)
        )
    return [(v.lineage_key, v.data.geography, v.data.reference_year) for v in page.data]


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
        first = service.search_factors(
            uow, principal=viewer(demo["buyer"]), query=FactorQuery(q="电力", limit=3)
        )
        beyond = service.search_factors(
            uow, principal=viewer(demo["buyer"]), query=FactorQuery(q="电力", offset=10_000)
        )
    assert len(first.data) == 3
    assert beyond.data == []
    assert beyond.count == first.count > 3
