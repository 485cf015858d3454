"""The report's texts: one TOML file per language in reports/messages, with the same keys."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
MESSAGES = Path(__file__).parent / "messages"


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = str(value)
    return flat


@lru_cache(maxsize=len(LANGUAGES))
def messages(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"unknown report language {language!r}; choose one of {LANGUAGES}")
    with (MESSAGES / f"{language}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


class Texts:
    """``texts(key, **values)`` in one language; an unknown key shows as itself."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._messages = messages(language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._messages.get(key)
        if text is None:
            return key
        return text.format(**values) if values else text
