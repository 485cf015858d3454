"""Two pcfhub servers on loopback, a supplier and a customer, exchange footprints over HTTPS:
listing (synchronous), a request answered asynchronously through both outboxes, a Published
notice followed by GetFootprint, and the received footprint imported into the customer's model.
The supplier runs on each database kind; the customer on SQLite."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from pydantic import SecretStr

from pcfhub.config import Settings
from pcfhub.exchange import connections
from pcfhub.exchange import service as footprints
from pcfhub.exchange.schemas import ConnectionCreate, ConnectionUpdate, PublishRequest
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import DemoSignIn, seed_demo
from pcfhub.platform.model import Principal
from tests.exchange.conftest import PUBLISH, stored_result
from tests.exchange.test_pact import errors
from tests.factors.builders import acting
from tests.platform.conftest import create_api_client
from tests.platform.test_serve_tls import _free_port, _self_signed

START_TIMEOUT_S = 40
WAIT_S = 30
T = TypeVar("T")


def _serve(settings: Settings, port: int, cert: Path, key: Path) -> subprocess.Popen[str]:
    env = os.environ | {
        "PCFHUB_ENVIRONMENT": "test",
        "PCFHUB_DATA_DIR": str(settings.data_dir),
        "PCFHUB_DATABASE_URL": settings.resolved_database_url,
        "PCFHUB_SECRET_KEY": settings.secret().decode(),
        "PCFHUB_TLS_CERTFILE": str(cert),
        "PCFHUB_TLS_KEYFILE": str(key),
        "PCFHUB_PORT": str(port),
        "PCFHUB_PUBLIC_URL": f"https://127.0.0.1:{port}",
        "PCFHUB_PACT_CA_BUNDLE": str(cert),
        "PCFHUB_PACT_OUTBOX_INTERVAL_S": "0.3",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pcfhub.cli", "serve"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _wait_up(process: subprocess.Popen[str], base: str, cert: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if (
                httpx.get(
                    f"{base}/healthz", verify=ssl.create_default_context(cafile=str(cert))
                ).status_code
                == 200
            ):
                return
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"pcfhub serve did not come up at {base}:\n{output}")
        time.sleep(0.2)


def eventually(probe: Callable[[], T | None], what: str) -> T:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def customer_platform(tmp_path: Path, sqlite_template: Path) -> Iterator[Platform]:
    path = tmp_path / "customer.sqlite3"
    shutil.copyfile(sqlite_template, path)
    settings = Settings(
        environment="test",
        data_dir=tmp_path / "customer",
        database_url=f"sqlite:///{path}",
        secret_key=SecretStr("customer-secret-" + "y" * 40),
    )
    built = Platform.from_settings(settings)
    built.init()
    yield built
    built.dispose()


def _token(base: str, cert: Path, client_id: str, secret: str) -> dict[str, str]:
    answer = httpx.post(
        f"{base}/auth/token", data={"grant_type": "client_credentials"},
        auth=(client_id, secret), verify=ssl.create_default_context(cafile=str(cert)),
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _admin_headers(
    platform: Platform, sign_in: DemoSignIn, base: str, cert: Path
) -> dict[str, str]:
    created = create_api_client(platform, sign_in.organisation_id, scopes=["*:*"])
    return _token(base, cert, created.client_id, created.client_secret)


def test_two_servers_exchange_footprints_over_https(
    platform: Platform,
    customer_platform: Platform,
    demo: dict[str, DemoSignIn],
    enterprise: Principal,
    published: dict[str, uuid.UUID],
    tmp_path: Path,
) -> None:
    cert, key = _self_signed(tmp_path)
    supplier_port, customer_port = _free_port(), _free_port()
    supplier_base = f"https://127.0.0.1:{supplier_port}"
    customer_base = f"https://127.0.0.1:{customer_port}"
    buyer_sign_in = {s.organisation: s for s in seed_demo(customer_platform)}["cq-industry"]
    buyer = acting(buyer_sign_in)

    # Credentials both ways: each side hands the other the id and secret of a connection.
    with platform.unit_of_work() as uow:
        at_supplier = connections.add_connection(
            uow, principal=enterprise, secret=platform.secret,
            data=ConnectionCreate(name="Customer Industry Co.", base_url=customer_base),
        )  # fmt: skip
        uow.commit()
    with customer_platform.unit_of_work() as uow:
        at_customer = connections.add_connection(
            uow, principal=buyer, secret=customer_platform.secret,
            data=ConnectionCreate(
                name="Widget supplier", base_url=supplier_base,
                remote_client_id=at_supplier.inbound_client_id,
                remote_client_secret=at_supplier.inbound_client_secret,
            ),
        )  # fmt: skip
        uow.commit()
    with platform.unit_of_work() as uow:
        connections.update_connection(
            uow, principal=enterprise, connection_id=at_supplier.id, secret=platform.secret,
            data=ConnectionUpdate(
                remote_client_id=at_customer.inbound_client_id,
                remote_client_secret=at_customer.inbound_client_secret,
            ),
        )  # fmt: skip
        uow.commit()

    # The supplier publishes two widget footprints and shares the first with the customer.
    first = _publish(platform, enterprise, stored_result(platform, enterprise, code="w-1"), "W-1")
    second = _publish(platform, enterprise, stored_result(platform, enterprise, code="w-2"), "W-2")
    with platform.unit_of_work() as uow:
        footprints.share(
            uow, principal=enterprise, footprint_id=first, recipient=at_supplier.partner_id
        )
        uow.commit()

    servers = [
        _serve(platform.settings, supplier_port, cert, key),
        _serve(customer_platform.settings, customer_port, cert, key),
    ]
    try:
        _wait_up(servers[0], supplier_base, cert)
        _wait_up(servers[1], customer_base, cert)
        owner = _admin_headers(platform, demo["cq-laptop"], supplier_base, cert)
        customer = _admin_headers(customer_platform, buyer_sign_in, customer_base, cert)
        with httpx.Client(verify=ssl.create_default_context(cafile=str(cert)), timeout=30) as http:
            _exchange(http, owner, customer, supplier_base, customer_base, at_customer.id,
                      first, second)  # fmt: skip
    finally:
        for name, server in zip(("supplier", "customer"), servers, strict=True):
            server.terminate()
            server.wait(timeout=10)
            print(f"--- {name} server ---\n{server.stdout.read() if server.stdout else ''}")


def _publish(platform: Platform, owner: Principal, result_id: uuid.UUID, product: str) -> uuid.UUID:
    data = PublishRequest(
        result_id=result_id,
        **(PUBLISH | {"product_ids": [f"urn:pact:widgets.example.com:product-id:{product}"]}),
    )
    with platform.unit_of_work() as uow:
        done = footprints.publish(uow, principal=owner, data=data)
        uow.commit()
    return done.id


def _exchange(
    http: httpx.Client,
    owner: dict[str, str],
    customer: dict[str, str],
    supplier_base: str,
    customer_base: str,
    connection_id: uuid.UUID,
    first: uuid.UUID,
    second: uuid.UUID,
) -> None:
    api = f"{customer_base}/api/v1/exchange"

    # 1. Synchronous: the customer's server lists the supplier's footprints over HTTPS.
    pulled = http.post(f"{api}/connections/{connection_id}/pull", headers=customer)
    assert pulled.status_code == 200, pulled.text
    received = http.get(f"{api}/received", headers=customer).json()
    assert [r["footprint_id"] for r in received] == [str(first)]
    assert errors("v3", received[0]["document"]) == []

    # 2. Asynchronous: a request for W-2 goes out through the customer's outbox ...
    wanted = "urn:pact:widgets.example.com:product-id:W-2"
    sent = http.post(
        f"{api}/requests", headers=customer,
        json={"connection_id": str(connection_id), "product_ids": [wanted], "comment": "Q4 please"},
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    supplier_api = f"{supplier_base}/api/v1/exchange"

    def inbound() -> list[dict[str, Any]]:
        rows = http.get(f"{supplier_api}/requests", headers=owner).json()
        return [r for r in rows if r["direction"] == "inbound"]

    request = eventually(inbound, "the request to reach the supplier")[0]
    assert request["event_id"] == sent.json()["event_id"]
    assert request["comment"] == "Q4 please"
    candidates = http.get(f"{supplier_api}/requests/{request['id']}/candidates", headers=owner)
    assert candidates.json() == [str(second)]
    # ... and the supplier's answer comes back through the supplier's outbox.
    answered = http.post(
        f"{supplier_api}/requests/{request['id']}/answer", headers=owner,
        json={"footprint_ids": [str(second)]},
    )  # fmt: skip
    assert answered.status_code == 200, answered.text

    def fulfilled() -> dict[str, Any] | None:
        mine = http.get(f"{api}/requests/{sent.json()['id']}", headers=customer).json()
        return mine if mine["status"] == "fulfilled" else None

    assert eventually(fulfilled, "the answer to reach the customer")["answer"] == {
        "footprints": [str(second)]
    }
    ids = {r["footprint_id"] for r in http.get(f"{api}/received", headers=customer).json()}
    assert ids == {str(first), str(second)}

    # 3. A Published notice: the supplier deprecates W-1, which the customer reads; the
    # deprecation alone tells the customer, who fetches it again.
    deprecated_now = http.post(f"{supplier_api}/footprints/{first}/deprecate", headers=owner)
    assert deprecated_now.status_code == 200, deprecated_now.text

    def deprecated() -> bool:
        rows = http.get(f"{api}/received", headers=customer).json()
        return any(r["footprint_id"] == str(first) and r["status"] == "Deprecated" for r in rows)

    eventually(deprecated, "the customer to fetch the deprecated footprint")
