"""Factor pages in process: upload errors, the review form, visibility, the usage CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from pcfhub import __version__
from pcfhub.factors import reference, service, usage
from pcfhub.factors.formats import export_bytes
from pcfhub.factors.schemas import UsageRecord
from pcfhub.factors.store import FactorVersionRow
from pcfhub.factors.tabular import COLUMNS, data_to_row
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from tests.factors.builders import PROPRIETARY, acting, publish, record
from tests.platform.conftest import csrf_from

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HTML = {"accept": "text/html"}


def _csv(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _upload(client: TestClient, name: str, content: bytes, *, submit: bool = False) -> object:
    token = csrf_from(client.get("/factors/contribute", headers=HTML).text)
    return client.post(
        "/factors/contribute",
        data={"csrf_token": token, **({"submit": "true"} if submit else {})},
        files={"file": (name, content)},
        headers=HTML,
        follow_redirects=False,
    )


def _versions(platform: Platform) -> int:
    with platform.unit_of_work(read_only=True) as uow:
        return uow.session.query(FactorVersionRow).count()


def test_a_bad_upload_names_file_row_and_column_and_saves_nothing(
    platform: Platform, browser_of: object
) -> None:
    client = browser_of("cq-battery")
    good = data_to_row(record(key="cq.good"))
    bad = data_to_row(record(key="cq.bad")) | {"reference_year": "20x5"}
    response = _upload(client, "mine.csv", _csv(good, bad))
    assert response.status_code == 422
    assert "mine.csv, row 3, column reference_year" in response.text
    assert _versions(platform) == 0
    wrong_kind = _upload(client, "mine.txt", b"hello")
    assert wrong_kind.status_code == 422
    assert "mine.txt: unknown file type &#39;.txt&#39;" in wrong_kind.text
    assert _versions(platform) == 0


def test_an_upload_in_each_format_becomes_drafts_or_submissions(
    platform: Platform, browser_of: object
) -> None:
    client = browser_of("cq-battery")
    for number, kind in enumerate(("csv", "xlsx", "json")):
        content = export_bytes([record(key=f"cq.{kind}")], kind)
        response = _upload(client, f"factors.{kind}", content, submit=number == 2)
        assert response.status_code == 303, response.text
    page = client.get("/factors/contribute", headers=HTML).text
    for kind in ("csv", "xlsx", "json"):
        assert f"cq.{kind}" in page
    with platform.unit_of_work(read_only=True) as uow:
        statuses = sorted(r.status for r in uow.session.query(FactorVersionRow))
    assert statuses == ["draft", "draft", "submitted"]


def test_the_review_form_publishes_only_with_the_whole_checklist(
    platform: Platform, demo: dict[str, DemoSignIn], browser_of: object
) -> None:
    with platform.unit_of_work() as uow:
        draft = service.create_draft(uow, principal=acting(demo["cq-battery"]), data=record())
        service.submit(uow, principal=acting(demo["cq-battery"]), version_id=draft.id)
        uow.commit()
    maker = browser_of("cq-battery")
    assert maker.get("/factors/review", headers=HTML).status_code == 403
    reviewer = browser_of("operator")
    queue = reviewer.get("/factors/review", headers=HTML)
    assert f"/factors/versions/{draft.id}" in queue.text
    page = reviewer.get(f"/factors/versions/{draft.id}", headers=HTML).text
    token = csrf_from(page)
    partial = reviewer.post(
        f"/factors/versions/{draft.id}/review",
        data={"csrf_token": token, "decision": "publish", "checklist": ["source_cited"]},
        headers=HTML,
    )
    assert partial.status_code == 422
    assert "value_matches_source" in partial.text
    published = reviewer.post(
        f"/factors/versions/{draft.id}/review",
        data={"csrf_token": token, "decision": "publish", "checklist": list(service.CHECKLIST)},
        headers=HTML,
        follow_redirects=False,
    )
    assert published.status_code == 303
    seen = maker.get(f"/factors/versions/{draft.id}", headers=HTML).text
    assert 'id="status"' in seen
    assert "status-published" in seen
    assert 'id="reviews"' in seen  # the contributor sees the review record


def test_a_proprietary_factor_shows_metadata_but_no_value_or_calculator(
    platform: Platform, demo: dict[str, DemoSignIn], browser_of: object
) -> None:
    with platform.unit_of_work() as uow:
        version_id = publish(
            uow, acting(demo["cq-battery"]), acting(demo["operator"]),
            record(key="cq.secret", value=1.2345, licence=PROPRIETARY),
        )  # fmt: skip
        uow.commit()
    laptop = browser_of("cq-laptop")
    found = laptop.get("/factors", params={"q": "cq.secret"}, headers=HTML).text
    assert f"/factors/versions/{version_id}" in found
    assert "1.2345" not in found
    page = laptop.get(f"/factors/versions/{version_id}", headers=HTML).text
    assert 'id="withheld"' in page
    assert "1.2345" not in page
    assert 'id="calculator"' not in page
    tried = laptop.get(
        f"/factors/versions/{version_id}", params={"amount": "1", "unit": "kg"}, headers=HTML
    )
    assert "1.2345" not in tried.text
    own = browser_of("cq-battery").get(f"/factors/versions/{version_id}", headers=HTML).text
    assert "1.2345" in own


def test_the_calculator_converts_and_names_a_wrong_dimension(
    platform: Platform, demo: dict[str, DemoSignIn], browser_of: object
) -> None:
    with platform.unit_of_work() as uow:
        version_id = publish(
            uow, acting(demo["cq-battery"]), acting(demo["operator"]),
            record(key="cq.grid", value=0.5, unit="kWh"),
        )  # fmt: skip
        uow.commit()
    client = browser_of("cq-laptop")
    plain = client.get(f"/factors/versions/{version_id}", headers=HTML).text
    assert f"<footer>pcfhub {__version__} ·" in plain  # the footer names the platform's version
    ok = client.get(
        f"/factors/versions/{version_id}", params={"amount": "2", "unit": "MWh"}, headers=HTML
    )
    assert re.search(r'id="applied">1000 ', ok.text)
    wrong = client.get(
        f"/factors/versions/{version_id}", params={"amount": "2", "unit": "kg"}, headers=HTML
    )
    assert wrong.status_code == 422
    assert "dimensions differ" in wrong.text


def test_the_usage_statement_page_and_its_csv(
    platform: Platform, demo: dict[str, DemoSignIn], browser_of: object
) -> None:
    with platform.unit_of_work() as uow:
        version_id = publish(
            uow, acting(demo["cq-battery"]), acting(demo["operator"]), record(key="cq.used")
        )
        for result, who in (("r1", "cq-laptop"), ("r2", "cq-laptop"), ("r3", "verifier")):
            usage.record_usage(
                uow, principal=acting(demo[who]), organisation_id=demo[who].organisation_id,
                usage=UsageRecord(result_kind="result", result_id=result,
                                  version_ids=[version_id]),
            )  # fmt: skip
        uow.commit()
    client = browser_of("cq-battery")
    page = client.get("/factors/usage", headers=HTML)
    assert page.status_code == 200
    assert 'id="usage-lines"' in page.text
    assert "cq.used" in page.text
    download = client.get("/factors/usage.csv", headers=HTML)
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert (rows[0]["lineage_key"], rows[0]["uses"], rows[0]["organisations"]) == (
        "cq.used",
        "3",
        "2",
    )
    assert rows[-1]["lineage_key"] == "total"
    bad = client.get("/factors/usage", params={"start": "2026-02-30"}, headers=HTML)
    assert bad.status_code == 422


def test_the_contributor_licenses_a_proprietary_factor_from_its_page(
    platform: Platform, demo: dict[str, DemoSignIn], browser_of: object
) -> None:
    with platform.unit_of_work() as uow:
        version_id = publish(
            uow, acting(demo["cq-battery"]), acting(demo["operator"]),
            record(key="cq.licensed", value=7.125, licence=PROPRIETARY),
        )  # fmt: skip
        uow.commit()
    laptop = browser_of("cq-laptop")
    assert "7.125" not in laptop.get(f"/factors/versions/{version_id}", headers=HTML).text
    assert 'id="licence-form"' not in laptop.get(f"/factors/versions/{version_id}").text
    owner = browser_of("cq-battery")
    page = owner.get(f"/factors/versions/{version_id}", headers=HTML).text
    assert 'id="no-licences"' in page
    expired = owner.post(
        f"/factors/versions/{version_id}/licences",
        data={"csrf_token": csrf_from(page), "grantee": "cq-laptop", "purpose": "Supply contract",
              "expires": "2020-01-01"},
        headers=HTML,
    )  # fmt: skip
    assert expired.status_code == 422
    assert "expires_at" in expired.text
    granted = owner.post(
        f"/factors/versions/{version_id}/licences",
        data={"csrf_token": csrf_from(page), "grantee": "cq-laptop", "purpose": "Supply contract",
              "expires": (date.today() + timedelta(days=90)).isoformat()},
        headers=HTML, follow_redirects=False,
    )  # fmt: skip
    assert granted.status_code == 303, granted.text
    assert "Supply contract" in owner.get(f"/factors/versions/{version_id}", headers=HTML).text
    seen = laptop.get(f"/factors/versions/{version_id}", headers=HTML).text
    assert "7.125" in seen
    assert 'id="calculator"' in seen


def test_a_factor_typed_into_the_form_names_every_bad_field_then_becomes_a_draft(
    platform: Platform, browser_of: object
) -> None:
    client = browser_of("cq-battery")
    page = client.get("/factors/new", headers=HTML).text
    fields = data_to_row(record(key="cq.typed", value=3.25, gases={"co2_fossil": 3.25}))
    bad = fields | {"geography": "Chongqing", "reference_year": "", "csrf_token": csrf_from(page)}
    refused = client.post("/factors/new", data=bad, headers=HTML)
    assert refused.status_code == 422
    assert "reference_year: is required" in refused.text
    assert 'value="Chongqing"' in refused.text  # what was typed is kept
    bad = fields | {"geography": "Chongqing", "csrf_token": csrf_from(page)}
    assert "geography: Value error, use GLO" in client.post("/factors/new", data=bad).text
    bad = fields | {"value": "3.5", "csrf_token": csrf_from(page)}
    inconsistent = client.post("/factors/new", data=bad, headers=HTML).text
    assert "per-gas sum 3.25" in inconsistent  # 3.5 disagrees with the gases
    assert _versions(platform) == 0
    good = fields | {"csrf_token": csrf_from(page), "submit": "true"}
    created = client.post("/factors/new", data=good, headers=HTML, follow_redirects=False)
    assert created.status_code == 303, created.text
    detail = client.get(created.headers["location"], headers=HTML).text
    assert "status-submitted" in detail
    assert 'id="new-version"' in detail
    version_id = created.headers["location"].split("/")[-1].split("?")[0]
    again = client.get("/factors/new", params={"from": version_id}, headers=HTML).text
    assert 'value="cq.typed"' in again  # the next version starts from this one
    assert 'value="3.25"' in again


def test_the_publisher_licence_and_status_filters_narrow_the_search_and_survive_paging(
    platform: Platform, browser_of: object
) -> None:
    def sourced(key: str, publisher: str, **changes: object) -> object:
        source = {"publisher": publisher, "document": "Table 1", "year": 2025}
        return record(key=f"page.{key}", source=source, **changes)

    shared = {"identifier": "CC-BY-SA-4.0", "redistribution": "share_alike"}
    factors = (
        [sourced(f"kept{n:02d}", "Pager Works", licence=shared) for n in range(27)]
        + [sourced(f"other{n}", "Other Lab", licence=shared) for n in range(3)]
        + [sourced(f"open{n}", "Pager Works", licence={"identifier": "CC0-1.0",
                                                       "redistribution": "open"})
           for n in range(3)]
    )  # fmt: skip
    with platform.unit_of_work() as uow:
        reference.import_reference(uow, factors=factors, file="paging.csv")
        # A corrected value supersedes kept00's first version.
        reference.import_reference(uow, factors=[factors[0].model_copy(update={"value": 2.5})],
                                 file="paging.csv")  # fmt: skip
        uow.commit()
    client = browser_of("cq-laptop")
    wanted = {"q": "hot rolled", "publisher": "Pager Works", "redistribution": "share_alike"}
    first = client.get("/factors", params=wanted, headers=HTML)
    assert first.status_code == 200
    keys = set(re.findall(r"<code>(page\.\w+)</code>", first.text))
    assert len(keys) == 25
    assert all(key.startswith("page.kept") for key in keys)
    assert 'value="Pager Works"' in first.text  # the filters stay in the form
    assert '<option value="share_alike" selected>' in first.text
    assert '<option value="published" selected>' in first.text
    following = re.search(r'href="(/factors\?[^"]+)" rel="next"', first.text)
    assert following is not None
    link = following.group(1).replace("&amp;", "&")
    assert "publisher=Pager+Works" in link
    assert "redistribution=share_alike" in link
    second = client.get(link, headers=HTML).text
    rest = set(re.findall(r"<code>(page\.\w+)</code>", second))
    assert len(rest) == 2
    assert all(key.startswith("page.kept") for key in rest)
    assert len(keys | rest) == 27
    assert 'value="Pager Works"' in second
    assert "26–27" in second  # the pager: 26–27 of 27

    ended = client.get("/factors", params=wanted | {"status": "superseded"}, headers=HTML)
    assert ended.status_code == 200
    assert re.findall(r"<code>(page\.\w+)</code>", ended.text) == ["page.kept00"]
    assert '<option value="superseded" selected>' in ended.text
    assert "status-superseded" in ended.text  # the status column shows beside ended versions
    opened = client.get("/factors", params={"publisher": "pager", "redistribution": "open"})
    assert sorted(re.findall(r"<code>(page\.\w+)</code>", opened.text)) == [
        "page.open0", "page.open1", "page.open2",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"redistribution": "free"}, "redistribution: Input should be"),
        ({"status": "draft"}, "status: &#39;draft&#39; is not searchable here"),
        ({"status": "gone"}, "status: &#39;gone&#39; is not searchable here"),
        ({"publisher": "x" * 301}, "publisher: String should have at most 300 characters"),
        ({"offset": "-25"}, "offset: Input should be greater than or equal to 0"),
    ],
)
def test_a_bad_search_filter_answers_422_with_what_was_wrong(
    browser_of: object, params: dict[str, str], message: str
) -> None:
    response = browser_of("cq-laptop").get("/factors", params=params, headers=HTML)
    assert response.status_code == 422
    assert message in response.text
    assert 'id="factor-search"' in response.text  # the form is still there to correct it
