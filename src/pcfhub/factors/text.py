"""Search tokens for Chinese and English text, the same for what is stored and what is asked.

Latin words are lower-cased; Chinese (and other CJK) runs become overlapping character pairs
("电力排放" → 电力 力排 排放), so that a two-character query word finds its place in a longer
name without a dictionary. Both databases' full-text indexes then work on plain tokens.
"""

from __future__ import annotations

import re

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[0-9a-z]+")


def _is_cjk(run: str) -> bool:
    return bool(re.match(rf"[{_CJK}]", run))


def tokens(text: str) -> list[str]:
    """The search tokens of ``text``, in order, without duplicates."""
    found: list[str] = []
    for run in _TOKEN.findall(text.lower()):
        if _is_cjk(run):
            found.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
        else:
            found.append(run)
    return list(dict.fromkeys(found))


def token_text(*texts: str | None) -> str:
    """What is stored for searching: the tokens of all texts, space-separated."""
    return " ".join(tokens(" ".join(t for t in texts if t)))
