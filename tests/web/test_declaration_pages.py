"""The declaration pages of a result: the form, a preview, downloads, issuing into the ledger,
problems shown on the form, and another organisation's result not found."""

from __future__ import annotations

import hashlib
import re
import uuid

import pytest

from pcfhub.accounting import service as accounting
from pcfhub.accounting.model import ProductModel
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn
from pcfhub.reports.cbam_workbook import read_sections
from tests.accounting.builders import FACTORS
from tests.factors.builders import acting, publish
from tests.reports.declaration_builders import BATTERY_FIELDS, CBAM_FIELDS, battery, sheet
from tests.web.conftest import BrowserOf

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
HTML = {"accept": "text/html"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _result(platform: Platform, demo: dict[str, DemoSignIn], data: dict) -> uuid.UUID:
    owner = acting(demo["cq-laptop"])
    with platform.unit_of_work() as uow:
        if not accounting.list_models(uow, principal=owner).count:
            for factor in FACTORS.values():
                publish(uow, acting(demo["cq-battery"]), acting(demo["operator"]), factor)
        saved = accounting.save_model(uow, principal=owner, model=ProductModel.model_validate(data))
        stored = accounting.calculate(uow, principal=owner, model_id=saved.model_id, iterations=0)
        uow.commit()
    return stored.id


def test_battery_form_preview_download_and_issue(
    platform: Platform, demo: dict[str, DemoSignIn], browser_of: BrowserOf
) -> None:
    result_id = _result(platform, demo, battery())
    client = browser_of("cq-laptop")
    url = f"/results/{result_id}/declarations/battery"
    page = client.get(url, headers=HTML)
    assert page.status_code == 200, page.text
    assert 'id="declaration-form"' in page.text
    token = CSRF.search(page.text).group(1)
    form = BATTERY_FIELDS | {"csrf_token": token}

    preview = client.post(url, data=form | {"action": "preview"}, headers=HTML)
    assert preview.status_code == 200, preview.text
    assert '<span id="declared-total" class="big">0.1</span>' in preview.text
    assert "TP-60-LFP" in preview.text
    assert 'value="Chongqing Test Battery Co., Ltd."' in preview.text  # the form keeps its values

    as_json = client.post(url, data=form | {"action": "json"})
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["battery_model"] == "TP-60-LFP"
    as_pdf = client.post(url, data=form | {"action": "file"})
    assert as_pdf.content.startswith(b"%PDF")

    issued = client.post(url, data=form | {"action": "issue"}, headers=HTML)
    assert issued.status_code == 200, issued.text
    sha = re.search(r'<code id="issued-sha">([0-9a-f]{64})</code>', issued.text).group(1)
    assert sha == hashlib.sha256(as_pdf.content).hexdigest()  # the same fields, the same bytes


def test_cbam_form_and_its_workbook(
    platform: Platform, demo: dict[str, DemoSignIn], browser_of: BrowserOf
) -> None:
    result_id = _result(platform, demo, sheet())
    client = browser_of("cq-laptop")
    url = f"/results/{result_id}/declarations/cbam"
    token = CSRF.search(client.get(url, headers=HTML).text).group(1)
    form = {k: str(v) for k, v in CBAM_FIELDS.items()} | {"csrf_token": token}
    preview = client.post(url, data=form | {"action": "preview"}, headers=HTML)
    assert preview.status_code == 200, preview.text
    assert "<strong>3.175</strong>" in preview.text
    book = client.post(url, data=form | {"action": "file"})
    assert read_sections(book.content)["CN code / CN编码"] == "7606 12 99"

    wrong = client.post(url, data=form | {"action": "preview", "cn_code": "8708 70 10"},
                        headers=HTML)  # fmt: skip
    assert wrong.status_code == 422
    assert 'id="problems"' in wrong.text
    assert "not a good in the scope of CBAM" in wrong.text
    missing = client.post(url, data=form | {"action": "preview", "quantity_t": ""}, headers=HTML)
    assert missing.status_code == 422
    assert "quantity_t" in missing.text


def test_chinese_labels_and_another_organisations_result(
    platform: Platform, demo: dict[str, DemoSignIn], browser_of: BrowserOf
) -> None:
    result_id = _result(platform, demo, battery())
    owner = browser_of("cq-laptop")
    token = CSRF.search(owner.get("/", headers=HTML).text).group(1)
    owner.post("/language", data={"language": "zh", "csrf_token": token})
    page = owner.get(f"/results/{result_id}/declarations/battery", headers=HTML)
    assert "欧盟电池碳足迹声明" in page.text
    stranger = browser_of("cq-battery")
    for kind in ("battery", "cbam"):
        seen = stranger.get(f"/results/{result_id}/declarations/{kind}", headers=HTML)
        assert seen.status_code == 404
        assert "Test LFP pack" not in seen.text
    token = CSRF.search(stranger.get("/", headers=HTML).text).group(1)
    posted = stranger.post(
        f"/results/{result_id}/declarations/battery",
        data=BATTERY_FIELDS | {"csrf_token": token, "action": "issue"},
        headers=HTML,
    )
    assert posted.status_code == 404
    forged = owner.post(
        f"/results/{result_id}/declarations/battery",
        data=BATTERY_FIELDS | {"csrf_token": "forged", "action": "issue"},
        headers=HTML,
    )
    assert forged.status_code == 403
