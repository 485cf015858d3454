"""The product model editor: a form a factory carbon manager fills in without knowing YAML.

A new model (blank, or a copy of one of the organisation's models), a model's version to edit,
a preview that accounts the form as it stands (both electricity variants and the compliance
findings, nothing saved) and saving it as the model's next version. A form with problems is
shown again exactly as typed, every problem next to its field. The field names and their
parsing are in `pcfhub.web.model_form`; rows are added and removed by ``model_editor.js``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from pcfhub.accounting import service
from pcfhub.accounting.calculate import AccountingResult
from pcfhub.accounting.model import DataType, Origin, ProductModel
from pcfhub.catalogue import service as catalogue
from pcfhub.catalogue.model import AllocationMethod, Boundary, Instrument, Stage
from pcfhub.errors import NotFoundError, PcfhubError
from pcfhub.factors.model import Gas, Pedigree
from pcfhub.platform.deps import SignedInUserDep, UowDep
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.model_form import ModelForm, Problem, form_values, nest, pick
from pcfhub.web.rendering import check_csrf, redirect, render, signed_in

router = APIRouter(include_in_schema=False)
MAX_FIELDS = 20_000  # a form field per value: a model of 300 exchanges stays well below
NOTE = "edited in the web editor"
CHOICES = {
    # the kinds of exchange, most used first (every kind of the model: KIND_FIELDS)
    "kinds": ("activity", "electricity", "transport", "process", "supplier", "model", "emission"),
    "stages": tuple(s.value for s in Stage),
    "boundaries": tuple(b.value for b in Boundary),
    # subdivision and system expansion are modelled, not chosen (docs/modelling.md)
    "allocations": (AllocationMethod.PHYSICAL.value, AllocationMethod.ECONOMIC.value),
    "gases": tuple(g.value for g in Gas),
    "origins": tuple(o.value for o in Origin),
    "data_types": tuple(d.value for d in DataType),
    "instruments": tuple(i.value for i in Instrument),
    "gwp_sets": ("AR6", "AR5"),
    "pedigree": tuple(Pedigree.model_fields),
    "scores": ("1", "2", "3", "4", "5"),
    "units": ("kg", "t", "g", "kWh", "MWh", "GJ", "MJ", "m3", "L", "piece", "km", "t*km"),
}
#: Which kinds of exchange show which group of fields.
GROUPS = {
    "factor": ("activity", "transport"),
    "amount": ("emission", "activity", "electricity", "process", "supplier", "model"),
    "gas": ("emission",),
    "packaging": ("activity", "process"),
    "transport": ("transport",),
    "electricity": ("electricity",),
    "process": ("process",),
    "supplier": ("supplier",),
    "model": ("model",),
}
FOOTPRINT = (
    "total", "fossil", "biogenic_emission", "biogenic_removal", "land_use_change",
    "data_quality_rating", "primary_data_share",
)  # fmt: skip


async def _form_items(request: Request) -> list[tuple[str, str]]:
    """The submitted fields in order (a large model has thousands)."""
    form = await request.form(max_fields=MAX_FIELDS)
    return [(name, value) for name, value in form.multi_items() if isinstance(value, str)]


FormItems = Annotated[list[tuple[str, str]], Depends(_form_items)]


def _signed_in(user: SignedInUser | None) -> tuple[SignedInUser, Principal]:
    return signed_in(user, "edit product models")


def _categories(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    """The catalogue's categories in force today: (code, Chinese name, English name)."""
    try:
        listed = catalogue.catalogue_on(uow, date.today())
    except NotFoundError:
        return []
    return [(c.code, c.name_zh, c.name_en) for _, c in listed.data.located_categories()]


def _blank() -> dict[str, Any]:
    return {
        "product": {"boundary": Boundary.CRADLE_TO_GATE.value, "gwp_set": "AR6"},
        "processes": [{"stage": Stage.PRODUCTION.value}],
    }


def _editor(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    form: dict[str, Any],
    *,
    model_id: str = "",
    version: str = "",
    status_code: int = 200,
    problems: list[Problem] | None = None,
    result: AccountingResult | None = None,
    copied: bool = False,
    note: str = "",
) -> Response:
    problems = problems or []
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.where:
            errors.setdefault(problem.where, []).append(problem.message)
    processes = form.get("processes")
    process_ids = sorted(
        {pick(p, "id") for p in processes if pick(p, "id")} if isinstance(processes, list) else []
    )
    return render(
        request, "model_edit.html", user=user, status_code=status_code, form=form,
        model_id=model_id, version=version, copied=copied, note=note, problems=problems,
        errors=errors,
        result=result, pick=pick, categories=_categories(uow), process_ids=process_ids,
        groups=GROUPS, footprint=FOOTPRINT, choices=CHOICES,
    )  # fmt: skip


@router.get("/models/new")
def new_model_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    start_from: Annotated[uuid.UUID | None, Query(alias="from")] = None,
) -> Response:
    """A blank model, or a copy of one of the organisation's models (to give a code of its
    own)."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = _signed_in(user)
    if start_from is None:
        return _editor(request, uow, signed, _blank())
    found = service.get_model(uow, principal=principal, model_id=start_from)
    form = form_values(found.model) | {"code": ""}
    return _editor(request, uow, signed, form, copied=True)


@router.get("/models/{model_id}/edit")
def edit_model_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    model_id: uuid.UUID,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """A version of a model in the form (the newest unless ``version`` is given)."""
    if user is None:
        return redirect("/sign-in")
    signed, principal = _signed_in(user)
    found = service.get_model(uow, principal=principal, model_id=model_id, version=version)
    return _editor(
        request, uow, signed, form_values(found.model), model_id=str(found.model_id),
        version=str(found.version),
    )  # fmt: skip


def _posted(
    request: Request, user: SignedInUser | None, items: list[tuple[str, str]]
) -> tuple[SignedInUser, Principal, ModelForm, dict[str, str]]:
    """Who posted, the form's model part, and its other fields (the editing context)."""
    signed, principal = _signed_in(user)
    fields = dict(items)
    check_csrf(request, signed, fields.get("csrf_token"))
    model_id = fields.get("model_id", "")
    context = {
        "model_id": model_id if _is_uuid(model_id) else "",
        "version": fields.get("version", "")[:10] if fields.get("version", "").isdigit() else "",
        "note": fields.get("change_note", "").strip()[:500],
    }
    return signed, principal, ModelForm(nest(items)), context


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@router.post("/models/save")
def save_model_page(
    request: Request, uow: UowDep, user: SignedInUserDep, items: FormItems
) -> Response:
    """Save the form as the model's next version and show the model; or show the form again
    as typed with every problem (nothing saved)."""
    signed, principal, form, context = _posted(request, user, items)
    try:
        model: ProductModel = form.model()
        saved = service.save_model(
            uow, principal=principal, model=model, note=context["note"] or NOTE
        )
    except (ValidationError, PcfhubError) as error:
        uow.rollback()
        status = 422 if isinstance(error, ValidationError) else error.status
        return _editor(
            request, uow, signed, form.raw, model_id=context["model_id"],
            version=context["version"], note=context["note"], status_code=status,
            problems=form.problems(error),
        )  # fmt: skip
    uow.commit()
    return redirect(f"/models/{saved.model_id}")


@router.post("/models/preview")
def preview_model_page(
    request: Request, uow: UowDep, user: SignedInUserDep, items: FormItems
) -> Response:
    """Account the form as it stands (no Monte Carlo) and show both totals and the compliance
    findings next to the form; nothing is saved."""
    signed, principal, form, context = _posted(request, user, items)
    result = None
    problems: list[Problem] = []
    status = 200
    try:
        result = service.evaluate(uow, principal, form.model(), iterations=0)
    except (ValidationError, PcfhubError) as error:
        status = 422 if isinstance(error, ValidationError) else error.status
        problems = form.problems(error)
    uow.rollback()
    return _editor(
        request, uow, signed, form.raw, model_id=context["model_id"],
        version=context["version"], note=context["note"], status_code=status,
        problems=problems, result=result,
    )  # fmt: skip
