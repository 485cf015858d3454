"""Every setting is documented in docs/configuration.md, and nothing documented is stale."""

from __future__ import annotations

import re
from pathlib import Path

from pcfhub.config import Settings

DOC = Path(__file__).parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented_and_no_documented_setting_is_stale() -> None:
    documented = set(re.findall(r"`PCFHUB_([A-Z_]+)`", DOC.read_text(encoding="utf-8")))
    settings = {name.upper() for name in Settings.model_fields}
    assert settings - documented == set(), "settings missing from docs/configuration.md"
    assert documented - settings == set(), "docs/configuration.md names unknown settings"
