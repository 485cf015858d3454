"""The third-party verification example of docs/ledger.md runs against a live platform."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pcfhub.errors import InvalidSignatureError
from pcfhub.ledger import service as ledger
from pcfhub.ledger.signing import SignedTreeHead, generate_private_key, public_key_to_pem
from pcfhub.platform.app import create_app
from pcfhub.platform.context import Platform
from pcfhub.platform.demo import seed_demo

DOC = Path(__file__).parents[2] / "docs" / "ledger.md"


class HttpError(Exception):
    pass


def _example() -> dict[str, Any]:
    [code] = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)
    return namespace


def _fetcher(client: TestClient) -> Callable[[str], Any]:
    def fetch(path: str) -> Any:
        response = client.get(path)
        if response.status_code >= 400:
            raise HttpError(f"{response.status_code} {response.text}")
        return response.json()

    return fetch


def test_a_third_party_checks_an_entry_and_the_growth_of_the_log(platform: Platform) -> None:
    example = _example()
    seed_demo(platform)
    client = TestClient(create_app(platform=platform))
    fetch = _fetcher(client)
    assert platform.ledger_key is not None
    trusted = public_key_to_pem(platform.ledger_key.public_key())
    with platform.unit_of_work() as uow:
        entry = ledger.get_entry(uow.session, 5).event

    first = example["check_entry"](fetch, entry, trusted)
    assert isinstance(first, SignedTreeHead)

    seed_demo(platform)  # more entries, a new head
    second = example["check_entry"](fetch, entry, trusted)
    assert second.tree_size > first.tree_size
    example["check_log_only_grew"](fetch, first, second)

    forged = dict(entry, action="organisation.deleted")
    with pytest.raises(HttpError, match="404"):
        example["check_entry"](fetch, forged, trusted)
    stranger = public_key_to_pem(generate_private_key().public_key())
    with pytest.raises(InvalidSignatureError):
        example["check_entry"](fetch, entry, stranger)
