"""The production parameters of password hashing (the other tests hash cheaply)."""

from __future__ import annotations

from argon2 import extract_parameters

from pcfhub.platform.security import hash_password, needs_rehash, verify_password


def test_passwords_are_hashed_with_argon2id_at_rfc_9106_low_memory_cost(
    real_password_hashing: None,
) -> None:
    hashed = hash_password("correct horse battery staple")
    parameters = extract_parameters(hashed)
    assert hashed.startswith("$argon2id$")
    assert (parameters.time_cost, parameters.memory_cost, parameters.parallelism) == (3, 65536, 4)
    assert verify_password(hashed, "correct horse battery staple")
    assert not verify_password(hashed, "correct horse battery stapler")
    assert not needs_rehash(hashed)
