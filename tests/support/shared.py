"""Where the team's shared reference data lives (specs, test vectors, public LCI data).

It is read in place, never copied into the repository. Looked up in order: the folder named
by ``PCFHUB_SHARED_DIR``; ``shared/`` beside the repository (the usual checkout layout);
``/work/shared``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.skips import in_ci

REPOSITORY = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """The shared folder (the first candidate that exists, else the first candidate)."""
    candidates = [REPOSITORY.parent / "shared", Path("/work/shared")]
    override = os.environ.get("PCFHUB_SHARED_DIR")
    if override:
        candidates.insert(0, Path(override))
    return next((path for path in candidates if path.is_dir()), candidates[0])


def shared_path(*parts: str) -> Path:
    return shared_dir().joinpath(*parts)


def uslci_archive(name: str) -> Path:
    """A release file of the public U.S. LCI database in the shared folder; a missing one is a
    skip on a developer's machine and a failure in CI (the tests must run there)."""
    path = shared_path("data", "uslci", name)
    if not path.exists():
        reason = f"{path} is missing: the shared USLCI data is not on this machine"
        if in_ci():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return path
