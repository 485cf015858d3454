"""Message catalogues: one TOML file per language in web/messages, keys shared by both.

Templates call ``t("section.key", name=value)``; a key missing from a catalogue is an error in
tests (`missing_keys`) and shows as the key itself at run time, never as a crash.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pcfhub.config import LANGUAGES

MESSAGES = Path(__file__).parent / "messages"
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}  # each language named in itself


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat


@lru_cache(maxsize=len(LANGUAGES))
def catalogue(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {LANGUAGES}")
    with (MESSAGES / f"{language}.toml").open("rb") as handle:
        return _flatten(tomllib.load(handle))


def missing_keys() -> dict[str, set[str]]:
    """Keys some catalogue has and another lacks, per language."""
    every = set().union(*(catalogue(lang) for lang in LANGUAGES))
    return {lang: every - set(catalogue(lang)) for lang in LANGUAGES}


class Translator:
    """``t(key, **values)`` for one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else LANGUAGES[0]
        self._messages = catalogue(self.language)

    def __call__(self, key: str, **values: Any) -> str:
        text = self._messages.get(key)
        if text is None:
            return key
        return text.format(**values) if values else text

    def code(self, section: str, value: str) -> str:
        """The name of a code (an object kind, an action) in this language, else the code."""
        return self._messages.get(f"{section}.{value}", value)
