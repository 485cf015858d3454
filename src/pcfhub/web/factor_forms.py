"""Factor forms: one factor in a form (`/factors/new`, also starting from a published version)
and contributing a file of factors (`/factors/contribute`), both saved as drafts through the
factor service (with and_submit to submit them at once)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import Field, ValidationError, create_model

from pcfhub.errors import PcfhubError
from pcfhub.factors import service
from pcfhub.factors.formats import read_upload
from pcfhub.factors.model import Boundary, Redistribution, Traceability
from pcfhub.factors.tabular import (
    COLUMNS,
    DERIVED,
    GAS_COLUMNS,
    NUMBER_COLUMNS,
    PEDIGREE,
    REQUIRED,
    UNCERTAINTY,
    data_to_row,
    parse_row,
)
from pcfhub.platform.deps import SignedInUserDep, UowDep
from pcfhub.platform.model import Principal, SignedInUser
from pcfhub.platform.uow import UnitOfWork
from pcfhub.web.factors import PAGE, OptionalFormStr, _done, _signed_in
from pcfhub.web.rendering import check_csrf, form_problems, page_offset, redirect, render

router = APIRouter(prefix="/factors", include_in_schema=False)


MAIN_GASES = 10  # CO2, CH4, N2O, SF6, NF3, HFC-134a, CF4; the other HFCs and PFCs apart
FORM_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("what", ("lineage_key", "name_zh", "name_en", "activity", "classification", "description")),
    ("value", ("value", "unit", "gwp_set", *GAS_COLUMNS[:MAIN_GASES])),
    ("fluorinated", GAS_COLUMNS[MAIN_GASES:]),
    ("scope", ("boundary", "system_model", "geography", "reference_year", "valid_from",
               "valid_to", "technology")),
    ("source", ("source_publisher", "source_document", "source_table", "source_year",
                "source_url", "source_traceability", "source_note")),
    ("quality", (*(f"pedigree_{name}" for name in PEDIGREE),
                 *(f"uncertainty_{name}" for name in UNCERTAINTY))),
    ("licence", ("licence", "licence_redistribution", "licence_attribution")),
    ("derived", tuple(f"derived_{name}" for name in DERIVED)),
)  # fmt: skip
SCORES = ("1", "2", "3", "4", "5")
CHOICES: dict[str, tuple[str, ...]] = {
    "gwp_set": ("AR6", "AR5", "AR4", "unstated"),
    "boundary": tuple(b.value for b in Boundary),
    "source_traceability": tuple(t.value for t in Traceability),
    "licence_redistribution": tuple(r.value for r in Redistribution),
    "uncertainty_distribution": ("lognormal", "normal", "uniform", "triangular"),
    **{f"pedigree_{name}": SCORES for name in PEDIGREE},
}
# Where the names of a choice's codes are in the catalogues.
CODE_SECTIONS = {
    "source_traceability": "traceability",
    "licence_redistribution": "redistribution",
}
LONG_TEXT = frozenset({"description", "technology", "source_note", "licence_attribution"})
DATES = frozenset({"valid_from", "valid_to"})
FactorForm = create_model(  # every template column as a text field of the form
    "FactorForm",
    **{column: (str, Field("", max_length=5000)) for column in COLUMNS},
    **{"submit": (bool, False), "csrf_token": (str | None, None)},
)


def _form_page(
    request: Request,
    user: SignedInUser,
    values: dict[str, str],
    *,
    status_code: int = 200,
    problems: list[str] | None = None,
) -> Response:
    return render(
        request, "factor_new.html", user=user, status_code=status_code, values=values,
        groups=FORM_GROUPS, choices=CHOICES, required=REQUIRED, long_text=LONG_TEXT,
        dates=DATES, numbers=NUMBER_COLUMNS, code_sections=CODE_SECTIONS,
        problems=problems or [],
    )  # fmt: skip


@router.get("/new")
def new_factor_page(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    start_from: Annotated[uuid.UUID | None, Query(alias="from")] = None,
) -> Response:
    """A blank form, or one filled from a version of the caller's own (its next version)."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    values = {"gwp_set": "AR6", "boundary": "cradle_to_gate", "source_traceability": "primary"}
    if start_from is not None:
        version = service.get_version(uow, principal=principal, version_id=start_from)
        if version.contributor_id == principal.organisation_id and not version.values_withheld:
            values = data_to_row(version.data)  # type: ignore[arg-type]
    return _form_page(request, signed_in, values)


@router.post("/new")
def new_factor(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    form: Annotated[FactorForm, Form()],  # type: ignore[valid-type]
) -> Response:
    """Draft the factor (and submit it, if asked); or show the form again with every problem."""
    signed_in, principal = _signed_in(user)
    check_csrf(request, signed_in, form.csrf_token)
    values = {column: getattr(form, column).strip() for column in COLUMNS}
    try:
        data = parse_row(values)
        draft = service.import_drafts(
            uow, principal=principal, factors=[data], and_submit=form.submit
        )[0]
    except (PcfhubError, ValidationError) as error:
        uow.rollback()
        problems, status = form_problems(error)
        return _form_page(request, signed_in, values, status_code=status, problems=problems)
    uow.commit()
    return redirect(f"/factors/versions/{draft.id}?done=drafted")


# Contributing


def _contribute_page(
    request: Request,
    uow: UnitOfWork,
    user: SignedInUser,
    principal: Principal,
    *,
    status_code: int = 200,
    problems: list[str] | None = None,
) -> Response:
    offset = page_offset(request)
    contributions = service.list_contributions(uow, principal=principal, offset=offset, limit=PAGE)
    return render(
        request,
        "factor_contribute.html",
        user=user,
        status_code=status_code,
        contributions=contributions,
        offset=offset,
        page=PAGE,
        problems=problems or [],
        done=_done(request),
        imported=request.query_params.get("count", "") if _done(request) else "",
    )


@router.get("/contribute")
def contribute_page(request: Request, uow: UowDep, user: SignedInUserDep) -> Response:
    """Upload factors (CSV, xlsx, JSON) as drafts; see your contributions and decisions."""
    if user is None:
        return redirect("/sign-in")
    signed_in, principal = _signed_in(user)
    return _contribute_page(request, uow, signed_in, principal)


@router.post("/contribute")
def contribute(
    request: Request,
    uow: UowDep,
    user: SignedInUserDep,
    file: Annotated[UploadFile, File()],
    submit: Annotated[bool, Form()] = False,
    csrf_token: OptionalFormStr = None,
) -> Response:
    """Every factor of the file becomes a draft (and is submitted, if asked), or none does."""
    signed_in, principal = _signed_in(user)
    check_csrf(request, signed_in, csrf_token)
    try:
        records = read_upload(file.filename, file.file.read())  # checked before any write
        service.import_drafts(uow, principal=principal, factors=records, and_submit=submit)
    except (PcfhubError, ValidationError) as error:
        uow.rollback()
        problems, status = form_problems(error)
        return _contribute_page(
            request, uow, signed_in, principal, status_code=status, problems=problems
        )
    uow.commit()
    return redirect(f"/factors/contribute?done=imported&count={len(records)}")


# Reviewing
