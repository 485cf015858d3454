"""Work for job tests, module-level so that it pickles and a Dask worker process imports it."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from pcfhub.platform.jobs import JobContext
from pcfhub.platform.model import OrganisationKind
from pcfhub.platform.store import OrganisationRow


def wait_for_file(path: Path, timeout_s: float = 30) -> None:
    """Sleep until ``path`` exists (a gate the test opens)."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} was not created within {timeout_s} s")
        time.sleep(0.02)


def gated_work(context: JobContext, *, gate: Path, slug: str) -> dict[str, Any]:
    """Report step 1 of 2, wait until the file ``gate`` exists, then write an organisation
    ``slug`` and, like an import's last step, check for a cancel before committing."""
    context.progress(1, 2, "waiting at the gate")
    wait_for_file(gate)
    with context.units() as uow:
        uow.session.add(
            OrganisationRow(slug=slug, name=slug, kind=OrganisationKind.ENTERPRISE.value)
        )
        uow.session.flush()
        context.check_cancelled()
        uow.commit()
    return {"slug": slug, "pid": os.getpid()}


def failing_work(context: JobContext, *, error: Exception) -> dict[str, Any]:
    """Report step 1 of 2, then raise ``error``."""
    context.progress(1, 2, "about to fail")
    raise error
