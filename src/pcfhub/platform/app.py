"""The FastAPI app factory: nothing is built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from pcfhub import __version__
from pcfhub.accounting.api import router as accounting_router
from pcfhub.catalogue.api import router as catalogue_router
from pcfhub.config import Settings, get_settings
from pcfhub.exchange import requests
from pcfhub.exchange.api import router as exchange_router
from pcfhub.exchange.host_api import host_router
from pcfhub.exchange.outbox import OutboxWorker
from pcfhub.factors.api import router as factors_router
from pcfhub.lci.api import router as lci_router
from pcfhub.ledger.api import router as ledger_router
from pcfhub.platform import jobs
from pcfhub.platform.api import router as platform_router
from pcfhub.platform.context import Platform
from pcfhub.platform.health import health_router
from pcfhub.platform.middleware import HttpsOnly, RequestSizeLimit, SecurityHeaders
from pcfhub.platform.oauth import token_router
from pcfhub.platform.problems import install_problem_handlers
from pcfhub.reports.api import router as reports_router
from pcfhub.reports.declarations_api import router as declarations_router

API_PREFIX = "/api/v1"


def start_outbox(platform: Platform) -> OutboxWorker:
    """The thread that sends due PACT events (answers, notifications) to partners."""
    worker = OutboxWorker(
        platform, requests.deliver, interval_s=platform.settings.pact_outbox_interval_s
    )
    worker.start()
    return worker


def create_app(settings: Settings | None = None, *, platform: Platform | None = None) -> FastAPI:
    """Build the platform's web application (API under /api/v1, web pages at /)."""
    from pcfhub.web.routes import install_web

    platform = platform or Platform.from_settings(settings or get_settings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # An earlier process's job threads are gone; a Dask cluster's jobs may still run.
        jobs.fail_interrupted(platform.unit_of_work, platform.jobs.still_running)
        outbox = start_outbox(platform)
        _app.state.pact_outbox = outbox
        try:
            yield
        finally:
            outbox.stop()
            platform.dispose()

    app = FastAPI(
        title="pcfhub",
        version=__version__,
        summary="Product carbon footprint platform (产品碳足迹公共服务平台)",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # Swagger UI loads from a CDN; the platform serves no third-party assets
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.platform = platform
    install_problem_handlers(app)
    app.include_router(platform_router, prefix=API_PREFIX)
    app.include_router(ledger_router, prefix=API_PREFIX)
    app.include_router(factors_router, prefix=API_PREFIX)
    app.include_router(lci_router, prefix=API_PREFIX)
    app.include_router(catalogue_router, prefix=API_PREFIX)
    app.include_router(accounting_router, prefix=API_PREFIX)
    app.include_router(reports_router, prefix=API_PREFIX)
    app.include_router(declarations_router, prefix=API_PREFIX)
    app.include_router(exchange_router, prefix=API_PREFIX)
    app.include_router(token_router)
    app.include_router(host_router)
    app.include_router(health_router)
    install_web(app)
    app.add_middleware(RequestSizeLimit, max_bytes=platform.settings.max_request_bytes)
    app.add_middleware(HttpsOnly, enabled=platform.settings.base_url.startswith("https://"))
    app.add_middleware(SecurityHeaders)
    return app
