"""Health checks: /healthz (the process answers) and /readyz (it can serve)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from pcfhub.errors import PcfhubError
from pcfhub.platform.deps import PlatformDep

health_router = APIRouter()


@health_router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@health_router.get("/readyz", tags=["health"])
def readyz(platform: PlatformDep) -> JSONResponse:
    """The database answers, is migrated, and the ledger key is loaded."""
    try:
        platform.check_ready()
    except PcfhubError as error:
        return JSONResponse({"status": "not ready", "detail": str(error)}, status_code=503)
    except Exception as error:  # the database is down or unreachable
        return JSONResponse(
            {"status": "not ready", "detail": f"database: {type(error).__name__}"},
            status_code=503,
        )
    return JSONResponse({"status": "ready"})
