"""The seed catalogue and rules shipped with pcfhub (src/pcfhub/data/catalogue), published by
the platform itself at `pcfhub init` and `pcfhub demo` when none is published yet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from pcfhub.catalogue import service
from pcfhub.catalogue.formats import read_path
from pcfhub.catalogue.model import CatalogueData
from pcfhub.catalogue.store import CatalogueVersionRow
from pcfhub.errors import DataFileError
from pcfhub.platform.uow import UnitOfWork

SEED = Path(__file__).parents[1] / "data" / "catalogue"
SEED_CATALOGUE = SEED / "catalogue.toml"
SEED_RULES = SEED / "rules.toml"


@dataclass(frozen=True)
class SeedReport:
    rules_published: int
    catalogue_version: int | None  # the version published now, or None when one existed


def seed_catalogue() -> CatalogueData:
    found = read_path(SEED_CATALOGUE)
    if not isinstance(found, CatalogueData):
        raise DataFileError(f"{SEED_CATALOGUE.name}: not a catalogue.")
    return found


def load_seed(uow: UnitOfWork) -> SeedReport:
    """Publish each seed rule whose code has no version yet, then the seed catalogue if no
    catalogue version exists; safe to repeat (the caller commits)."""
    rules = read_path(SEED_RULES)
    if isinstance(rules, CatalogueData):
        raise DataFileError(f"{SEED_RULES.name}: not a rules file.")
    published = 0
    for rule in rules:
        if not service.rule_exists(uow.session, rule.code):
            service.publish_rule(uow, principal=None, data=rule, system=True,
                                 where=SEED_RULES.name)  # fmt: skip
            published += 1
    if uow.session.scalar(select(CatalogueVersionRow.id).limit(1)) is not None:
        return SeedReport(published, None)
    version = service.publish_catalogue(
        uow, principal=None, data=seed_catalogue(), system=True, where=SEED_CATALOGUE.name
    )
    return SeedReport(published, version.version)
