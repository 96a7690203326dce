"""Tracing with OpenTelemetry: the API's requests, their SQL and outbound HTTP, and the
runs they start, exported over OTLP/HTTP when ``LUNA_OTEL_ENDPOINT`` is set (and no
cost at all when it is not: no provider, no instrumentation).

A run carries the W3C ``traceparent`` of the request that made it (``Run.traceparent``),
so the worker that executes it, in this process or another, continues that trace: the
run's agent, model requests and tool calls (Pydantic AI's instrumentation, named after
the OpenTelemetry GenAI conventions: ``invoke_agent``, ``chat``, ``execute_tool``) appear
under the request that started it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final

from fastapi import FastAPI
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

from luna.observability.context import RequestContext, accept_request_id, current_request
from luna.settings import Settings

# Probes and scrapes are not traced: they would drown the traces of real work.
UNTRACED_URLS: Final = "/metrics,/health/.*,/static/.*,/app/assets/.*"
_PROPAGATOR: Final = TraceContextTextMapPropagator()


def tracer_provider_for(settings: Settings, *, version: str) -> TracerProvider | None:
    """A tracer provider exporting to the settings' collector, or None when tracing is
    off. Spans leave in batches, off the request path."""
    if settings.otel_endpoint is None:
        return None
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create(
        {
            "service.name": settings.otel_service_name,
            "service.version": version,
            "deployment.environment.name": settings.sentry_environment or settings.env,
            "host.name": socket.gethostname(),
            "process.pid": os.getpid(),
        }
    )
    provider = TracerProvider(resource=resource)
    endpoint = str(settings.otel_endpoint).rstrip("/") + "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    return provider


def instrument_app(app: FastAPI, provider: TracerProvider | None) -> None:
    """Trace each request of the app (its server span continues a caller's
    ``traceparent``); before the app serves its first request."""
    if provider is None:
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(
        app,
        tracer_provider=provider,
        excluded_urls=UNTRACED_URLS,
        exclude_spans=["receive", "send"],
    )


@contextmanager
def instrumented_clients(provider: TracerProvider | None, engine: AsyncEngine) -> Iterator[None]:
    """Trace the engine's SQL and every httpx request (model providers, tools, webhooks)
    for the length of the block."""
    if provider is None:
        yield
        return
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    sql, http = SQLAlchemyInstrumentor(), HTTPXClientInstrumentor()
    # Its declared range stops below SQLAlchemy 2.1, whose engine events it hooks are
    # unchanged: the check is skipped rather than SQL left untraced.
    sql.instrument(
        engine=engine.sync_engine,
        tracer_provider=provider,
        enable_commenter=False,
        skip_dep_check=True,
    )
    http.instrument(tracer_provider=provider)
    try:
        yield
    finally:
        http.uninstrument()
        sql.uninstrument()


def traced_request_context(request_id: str | None) -> RequestContext | None:
    """The request's context on the ids of its server span, when the request is traced
    (logs, the response's ``traceparent`` and the spans then name the same trace)."""
    span = trace.get_current_span().get_span_context()
    if not span.is_valid:
        return None
    return RequestContext(
        request_id=accept_request_id(request_id),
        trace_id=format(span.trace_id, "032x"),
        span_id=format(span.span_id, "016x"),
        trace_flags=format(span.trace_flags, "02x"),
    )


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the span under way: the traced request's, or the
    request's own ids when tracing is off; None outside any request or span."""
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        carrier: dict[str, str] = {}
        _PROPAGATOR.inject(carrier)
        return carrier.get("traceparent")
    request = current_request.get()
    return None if request is None else request.traceparent


@contextmanager
def continued(traceparent: str | None) -> Iterator[None]:
    """Make ``traceparent`` the parent of the spans started in the block (a run's, on the
    worker that executes it), and what :func:`current_traceparent` answers there, traced
    or not (without a tracer provider no span is made: the context only travels)."""
    if not traceparent:
        yield
        return
    token = otel_context.attach(_PROPAGATOR.extract({"traceparent": traceparent}))
    try:
        yield
    finally:
        otel_context.detach(token)


@contextmanager
def outbound_call(
    name: str, traceparent: str | None, provider: TracerProvider | None
) -> Iterator[dict[str, str]]:
    """A client span for an outbound request made on behalf of ``traceparent`` (a webhook
    delivery of a run's event); the headers that carry the trace to the receiver: the
    span's ``traceparent``, or the one given when tracing is off."""
    if provider is None:
        yield {"traceparent": traceparent} if traceparent else {}
        return
    with continued(traceparent):
        tracer = provider.get_tracer("luna")
        with tracer.start_as_current_span(name, kind=trace.SpanKind.CLIENT):
            carrier: dict[str, str] = {}
            _PROPAGATOR.inject(carrier)
            yield carrier
