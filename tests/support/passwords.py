"""argon2id at its smallest cost, for tests about something other than the hash's cost."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from pcfhub.platform import security


def use_cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash passwords and client secrets in about a millisecond for the rest of the test.

    The production parameters (argon2-cffi's RFC 9106 defaults, ~0.25 s a hash here) are
    checked by tests that ask for the ``real_password_hashing`` fixture.
    """
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(security, "_hasher", cheap)
    monkeypatch.setattr(security, "_DUMMY_HASH", cheap.hash(security.new_token(16)))
