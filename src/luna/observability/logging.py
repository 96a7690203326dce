"""Structured logging: JSON lines in production, readable console output in development.

The standard library's loggers (uvicorn, SQLAlchemy, Alembic) are routed through the
same structlog processors, so every line has one shape, and every line is scrubbed of
secrets and bounded in size on its way out.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from structlog.tracebacks import ExceptionDictTransformer
from structlog.types import EventDict, Processor, WrappedLogger

from luna.observability.context import current_request
from luna.observability.log_scrubbing import BoundedRenderer, scrub_event
from luna.settings import LogFormat, Settings

_QUIET_LOGGERS = ("uvicorn.access",)
_HANDLER_NAME = "luna"
# A traceback keeps its first and last frames: where the request entered, where it broke.
MAX_TRACEBACK_FRAMES = 20


def _add_request_context(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    context = current_request.get()
    if context is not None:
        event.setdefault("request_id", context.request_id)
        event.setdefault("trace_id", context.trace_id)
        event.setdefault("span_id", context.span_id)
        if context.user_id:
            event.setdefault("user_id", context.user_id)
        if context.workspace_id:
            event.setdefault("workspace_id", context.workspace_id)
    return event


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        _add_request_context,
        structlog.processors.StackInfoRenderer(),
    ]


class _StandardErrorHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time of each record, so that a
    replaced standard error (a test runner's capture, a daemon's redirect) is followed
    rather than a closed one kept."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        """The stream is always the current standard error."""


def configure_logging(settings: Settings, *, stream: Any = None) -> None:
    """Route structlog and the standard library's logging to one formatter."""
    route_structlog_to_standard_logging()
    handler = logging.StreamHandler(stream) if stream is not None else _StandardErrorHandler()
    handler.setFormatter(log_formatter(settings.resolved_log_format))
    handler.set_name(_HANDLER_NAME)
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    set_library_log_levels(database_echo=settings.database_echo)


def route_structlog_to_standard_logging() -> None:
    """Send structlog's events through the standard library's handlers (and so through
    :func:`log_formatter`), after the processors every line shares."""
    structlog.configure(
        processors=[*_shared_processors(), structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def log_formatter(log_format: LogFormat) -> logging.Formatter:
    """The formatter of Luna's log lines: exceptions rendered without their frames' local
    variables (they hold request headers, keys, passwords), then every event scrubbed of
    secrets and bounded in size (:mod:`luna.observability.log_scrubbing`)."""
    exception_renderer: Processor
    renderer: Processor
    if log_format == "json":
        exception_renderer = structlog.processors.ExceptionRenderer(
            ExceptionDictTransformer(show_locals=False, max_frames=MAX_TRACEBACK_FRAMES)
        )
        renderer = structlog.processors.JSONRenderer()
    else:
        # The traceback as Python prints it (no locals), as text the scrubber can read.
        exception_renderer = structlog.processors.format_exc_info
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            exception_renderer,
            scrub_event,
            BoundedRenderer(renderer),
        ],
    )


def set_library_log_levels(*, database_echo: bool) -> None:
    """Quiet the libraries that log too much, and send uvicorn's lines to Luna's handler."""
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = False
    # Alembic announces its context at INFO on every inspection (each ``/readyz``); the
    # commands that migrate report what they applied themselves.
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    # The model SDKs' HTTP clients log every request at INFO; runs record their own steps.
    for name in ("httpx", "httpx2"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # DBOS announces each of its system-database migrations (sixty lines on a first start).
    logging.getLogger("dbos").setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy.engine").setLevel(
        logging.INFO if database_echo else logging.WARNING
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    """A structured logger for a module."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger
