"""Wire types of the catalogue: versions as served, search hits, diffs, a published file."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel

from pcfhub.catalogue.model import CatalogueData, Category, RuleData


class CatalogueVersionSummary(BaseModel):
    """A catalogue version without its sectors: what a list shows."""

    id: uuid.UUID
    version: int
    effective_from: date
    status: str
    title_zh: str
    title_en: str
    sectors: int
    categories: int
    content_hash: str
    created_at: datetime
    published_at: datetime | None


class CatalogueVersionPublic(CatalogueVersionSummary):
    """A catalogue version with its whole document."""

    data: CatalogueData


class RuleVersionPublic(BaseModel):
    """One version of an accounting rule: its number, the days it is in force, and the rule.

    This is what `catalogue.service.rule_on` gives the accounting engine."""

    id: uuid.UUID
    code: str
    version: int
    effective_from: date
    effective_to: date | None
    content_hash: str
    created_at: datetime
    data: RuleData


class RuleSummary(BaseModel):
    """A rule as listed: its latest version, and the one in force on the day asked about."""

    code: str
    title_zh: str
    title_en: str
    standard: str | None
    illustrative: bool
    versions: int
    latest_version: int
    effective_version: int | None


class CategoryHit(BaseModel):
    """A category found in a catalogue version, with its sector."""

    catalogue_version: int
    sector_code: str
    sector_name_zh: str
    sector_name_en: str
    category: Category


class FieldChange(BaseModel):
    """One field that differs: its path in the document, the value before and after."""

    field: str
    before: Any = None
    after: Any = None


class ItemChange(BaseModel):
    """A sector or category present in both versions whose fields differ."""

    code: str
    name_zh: str
    name_en: str
    sector: str | None = None
    changes: list[FieldChange]


class CategoryRef(BaseModel):
    """A category added or removed, named with its sector and rule."""

    code: str
    name_zh: str
    name_en: str
    sector: str
    rule_code: str | None


class CatalogueDiff(BaseModel):
    """What changed from one catalogue version to another."""

    from_version: int
    to_version: int
    changes: list[FieldChange]  # title, effective date, note, code sources
    sectors_added: list[str]
    sectors_removed: list[str]
    sectors_changed: list[ItemChange]
    categories_added: list[CategoryRef]
    categories_removed: list[CategoryRef]
    categories_changed: list[ItemChange]
    rules_added: list[str]  # rules named by the newer version only
    rules_removed: list[str]  # rules the older version named and the newer does not

    @property
    def empty(self) -> bool:
        return not any(
            (self.changes, self.sectors_added, self.sectors_removed, self.sectors_changed,
             self.categories_added, self.categories_removed, self.categories_changed)
        )  # fmt: skip


class RuleDiff(BaseModel):
    """What changed from one version of a rule to another, field by field."""

    code: str
    from_version: int
    to_version: int
    changes: list[FieldChange]


class PublishedFile(BaseModel):
    """What publishing a file did: a catalogue version, or rule versions (unchanged rules of a
    rules file are left as they are and named)."""

    kind: Literal["catalogue", "rules"]
    catalogue: CatalogueVersionSummary | None = None
    rules: list[RuleVersionPublic] = []
    unchanged: list[str] = []
