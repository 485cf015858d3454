"""The illustrative demo product models (src/pcfhub/data/demo/models), one per focus sector,
saved into the demo enterprises and accounted once by `pcfhub demo`; safe to repeat."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from pcfhub.accounting import service
from pcfhub.accounting.formats import read_model_path
from pcfhub.accounting.store import ProductModelRow
from pcfhub.platform.context import Platform
from pcfhub.platform.model import OrganisationKind, Principal, Role
from pcfhub.platform.store import OrganisationRow

#: Which demo enterprise owns which demo model.
OWNERS: dict[str, str] = {
    "laptop": "cq-laptop",
    "lfp-battery-pack": "cq-battery",
    "aluminium-wheel": "cq-industry",
    "methanol": "cq-industry",
    "aluminium-sheet": "cq-industry",
    "ac-motor": "cq-industry",
    "dried-chilli": "cq-industry",
}
DEMO_ITERATIONS = 500


@dataclass(frozen=True)
class DemoModelReport:
    name: str
    organisation: str
    code: str
    loaded: bool  # False: the organisation already had it
    total: float | None
    complies: bool | None


def demo_model_paths() -> dict[str, Path]:
    """The shipped demo models by name."""
    folder = Path(str(resources.files("pcfhub") / "data" / "demo" / "models"))
    return {path.stem: path for path in sorted(folder.glob("*.yaml"))}


def load_demo_models(platform: Platform) -> list[DemoModelReport]:
    """Save and account every demo model its owner does not have yet (needs the demo
    organisations and the shipped factors and catalogue)."""
    reports = []
    for name, path in demo_model_paths().items():
        model = read_model_path(path)
        slug = OWNERS[name]
        with platform.unit_of_work() as uow:
            organisation = uow.session.scalar(
                select(OrganisationRow).where(OrganisationRow.slug == slug)
            )
            if organisation is None:
                continue
            principal = Principal(
                organisation_id=organisation.id,
                organisation_kind=OrganisationKind(organisation.kind),
                role=Role.ADMIN,
            )
            exists = uow.session.scalar(
                select(ProductModelRow.id).where(
                    ProductModelRow.organisation_id == organisation.id,
                    ProductModelRow.code == model.code,
                )
            )
            if exists is not None:
                reports.append(DemoModelReport(name, slug, model.code, False, None, None))
                continue
            saved = service.save_model(
                uow, principal=principal, model=model, note="illustrative demo model"
            )
            stored = service.calculate(
                uow, principal=principal, model_id=saved.model_id, iterations=DEMO_ITERATIONS
            )
            uow.commit()
        reports.append(DemoModelReport(name, slug, model.code, True, stored.total, stored.complies))
    return reports
