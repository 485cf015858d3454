"""Where the team's shared reference data lives (specs, test vectors, public LCI data).

It is read in place, never copied into the repository. Looked up in order: the folder named
by ``PCFHUB_SHARED_DIR``; ``shared/`` beside the repository (the usual checkout layout);
``/work/shared``.
"""

from __future__ import annotations

import os
from pathlib import Path

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
