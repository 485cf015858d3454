"""Readable differences between two catalogue versions and between two versions of a rule.

Pure functions of the documents: sectors and categories are matched by code; fields are
compared one by one, nested objects by their own fields (``cutoff.per_input``), lists whole.
"""

from __future__ import annotations

from typing import Any

from pcfhub.catalogue.model import CatalogueData, Category, RuleData
from pcfhub.catalogue.schemas import (
    CatalogueDiff,
    CategoryRef,
    FieldChange,
    ItemChange,
    RuleDiff,
)


def field_changes(
    before: dict[str, Any], after: dict[str, Any], prefix: str = ""
) -> list[FieldChange]:
    """Every field whose value differs, with its dotted path; nested mappings are walked."""
    changes: list[FieldChange] = []
    for key in sorted(set(before) | set(after), key=lambda k: (k not in before, str(k))):
        old, new = before.get(key), after.get(key)
        path = f"{prefix}{key}"
        if isinstance(old, dict) and isinstance(new, dict):
            changes += field_changes(old, new, prefix=f"{path}.")
        elif old != new:
            changes.append(FieldChange(field=path, before=old, after=new))
    return changes


def _dump(model: Any, *exclude: str) -> dict[str, Any]:
    return model.model_dump(mode="json", exclude=set(exclude))


def _ref(category: Category, sector: str) -> CategoryRef:
    return CategoryRef(
        code=category.code,
        name_zh=category.name_zh,
        name_en=category.name_en,
        sector=sector,
        rule_code=category.rule_code,
    )


def diff_catalogues(
    older: CatalogueData, newer: CatalogueData, *, from_version: int, to_version: int
) -> CatalogueDiff:
    """Sectors and categories added, removed and changed field by field (a category moved to
    another sector shows as a change of ``sector``), and the rules named by one version only."""
    old_sectors = {s.code: s for s in older.sectors}
    new_sectors = {s.code: s for s in newer.sectors}
    sectors_changed = [
        ItemChange(code=code, name_zh=new.name_zh, name_en=new.name_en, changes=changes)
        for code, new in new_sectors.items()
        if code in old_sectors
        and (changes := field_changes(_dump(old_sectors[code], "categories"),
                                      _dump(new, "categories")))
    ]  # fmt: skip
    old_categories = {c.code: (s.code, c) for s in older.sectors for c in s.categories}
    new_categories = {c.code: (s.code, c) for s in newer.sectors for c in s.categories}
    categories_changed = []
    for code, (sector, new) in new_categories.items():
        if code not in old_categories:
            continue
        old_sector, old = old_categories[code]
        changes = field_changes(
            {"sector": old_sector, **_dump(old)}, {"sector": sector, **_dump(new)}
        )
        if changes:
            categories_changed.append(
                ItemChange(code=code, name_zh=new.name_zh, name_en=new.name_en, sector=sector,
                           changes=changes)
            )  # fmt: skip
    return CatalogueDiff(
        from_version=from_version,
        to_version=to_version,
        changes=field_changes(_dump(older, "sectors"), _dump(newer, "sectors")),
        sectors_added=[code for code in new_sectors if code not in old_sectors],
        sectors_removed=[code for code in old_sectors if code not in new_sectors],
        sectors_changed=sectors_changed,
        categories_added=[
            _ref(c, s) for code, (s, c) in new_categories.items() if code not in old_categories
        ],
        categories_removed=[
            _ref(c, s) for code, (s, c) in old_categories.items() if code not in new_categories
        ],
        categories_changed=categories_changed,
        rules_added=sorted(newer.rule_codes() - older.rule_codes()),
        rules_removed=sorted(older.rule_codes() - newer.rule_codes()),
    )


def diff_rules(older: RuleData, newer: RuleData, *, from_version: int, to_version: int) -> RuleDiff:
    """Every field of the rule that differs between two of its versions."""
    return RuleDiff(
        code=newer.code,
        from_version=from_version,
        to_version=to_version,
        changes=field_changes(_dump(older), _dump(newer)),
    )
