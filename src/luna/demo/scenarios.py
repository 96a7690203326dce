"""The runs a demo workspace holds, recorded as the run engine would have stored them.

Four multi-step runs tell one story each (a code review with parallel tool calls, a test
run that fails on an overloaded provider, its successful retry, a documentation draft),
and :func:`history` spreads short runs over the past weeks for the usage charts. Step
keys, kinds and contents follow :mod:`luna.runs.recorder`, so the graph, the steps API
and replay treat them exactly like live runs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Final, Literal

from luna.runs.steps import StepRecord

# What the sample runs' models cost per million tokens (input, output), in USD.
MODEL_PRICES: Final[dict[str, tuple[Decimal, Decimal]]] = {
    "claude-sonnet-4-6": (Decimal(3), Decimal(15)),
    "gpt-4.1-mini": (Decimal("0.4"), Decimal("1.6")),
    "llama3.2": (Decimal(0), Decimal(0)),
}
HISTORY_DAYS: Final = 28


def cost_of(model: str, tokens_in: int, tokens_out: int) -> Decimal:
    """What a model call of these sizes costs at :data:`MODEL_PRICES`."""
    price_in, price_out = MODEL_PRICES[model]
    return (price_in * tokens_in + price_out * tokens_out) / 1_000_000


@dataclass
class RecordedRun:
    """A run of a demo agent: its input, how it ended and its steps."""

    agent_slug: str
    input: str
    model: str
    started_at: datetime
    status: Literal["succeeded", "failed"]
    steps: list[StepRecord]
    output: dict[str, Any] | None = None
    error: dict[str, str] | None = None
    retry_of: int | None = None  # the index, in the scenario list, of the run it retries

    @property
    def finished_at(self) -> datetime:
        return max(step.ended_at or step.started_at for step in self.steps)


class _Clock:
    """Times within a run, in seconds after its start."""

    def __init__(self, start: datetime) -> None:
        self.start = start

    def at(self, seconds: float) -> datetime:
        return self.start + timedelta(seconds=seconds)


def _request(
    clock: _Clock,
    number: int,
    model: str,
    span: tuple[float, float],
    tokens: tuple[int, int],
    confidence: float | None,
    finish_reason: str,
) -> StepRecord:
    tokens_in, tokens_out = tokens
    return StepRecord(
        key=f"req:{number}",
        kind="model_request",
        name=model,
        started_at=clock.at(span[0]),
        ended_at=clock.at(span[1]),
        parent_key=f"req:{number - 1}" if number > 1 else None,
        content={"finish_reason": finish_reason, "model": model, "provider": "demo"},
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        cost_usd=cost_of(model, tokens_in, tokens_out),
        confidence=confidence,
    )


def _part(
    request: StepRecord, index: int, kind: Literal["thinking", "text"], text: str
) -> StepRecord:
    return StepRecord(
        key=f"{request.key}/part:{index}",
        kind=kind,
        # Answered as the request ended, like a live run's parts: no time of their own.
        started_at=request.ended_at or request.started_at,
        ended_at=request.ended_at,
        parent_key=request.key,
        content={"text": text},
        confidence=request.confidence if kind == "text" else None,
    )


def _call(request: StepRecord, call_id: str, tool: str, arguments: dict[str, Any]) -> StepRecord:
    return StepRecord(
        key=f"{request.key}/call:{call_id}",
        kind="tool_call",
        name=tool,
        started_at=request.ended_at or request.started_at,
        ended_at=request.ended_at,
        parent_key=request.key,
        content={"tool_call_id": call_id, "arguments": arguments},
    )


def _result(
    clock: _Clock, call: StepRecord, span: tuple[float, float], content: dict[str, Any]
) -> StepRecord:
    return StepRecord(
        key=f"{call.key}/result",
        kind="tool_result",
        name=call.name,
        started_at=clock.at(span[0]),
        ended_at=clock.at(span[1]),
        parent_key=call.key,
        status="error" if "error" in content else "done",
        content={"tool_call_id": call.content["tool_call_id"], **content},
    )


def _final(clock: _Clock, seconds: float, text: str) -> StepRecord:
    return StepRecord(
        key="final", kind="final", started_at=clock.at(seconds), content={"text": text}
    )


REVIEW = """**Verdict: request changes (1 high, 2 medium).**

1. *High* `webhooks/stripe.py:88`: the retry loop re-sends after a 4xx; only 429 and 5xx
   are worth retrying. Fix: check `response.status_code >= 500 or == 429`.
2. *Medium* `webhooks/stripe.py:102`: the backoff has no jitter, so a burst of failures
   retries in lockstep. Fix: `delay * random.uniform(0.5, 1.5)`.
3. *Medium* `tests/test_webhooks.py`: `test_webhook_retry` sleeps for real; inject the clock.

Regression test: a 400 from the endpoint is not retried."""


def code_review(start: datetime) -> RecordedRun:
    """A review that reads the diff and the CI status in parallel, then measures the diff."""
    clock = _Clock(start)
    model = "claude-sonnet-4-6"
    first = _request(clock, 1, model, (0, 2.4), (2140, 388), 0.91, "tool_call")
    diff = _call(first, "call_diff", "fetch_diff", {"pull_request": 482})
    ci = _call(first, "call_ci", "ci_status", {"pull_request": 482})
    second = _request(clock, 2, model, (4.2, 7.9), (3820, 410), 0.87, "tool_call")
    stats = _call(second, "call_stats", "text_stats", {"text": "webhooks/stripe.py"})
    third = _request(clock, 3, model, (8.6, 14.8), (4410, 912), 0.93, "stop")
    steps = [
        first,
        _part(
            first,
            0,
            "thinking",
            "The change adds retries to the Stripe webhook handler. "
            "I need the diff and the CI result before judging the retry policy.",
        ),
        diff,
        ci,
        _result(
            clock,
            diff,
            (2.5, 3.3),
            {
                "result": {
                    "files": ["webhooks/stripe.py", "tests/test_webhooks.py"],
                    "additions": 64,
                    "deletions": 9,
                }
            },
        ),
        _result(
            clock,
            ci,
            (2.5, 4.1),
            {
                "result": {
                    "status": "failed",
                    "failing": ["tests/test_webhooks.py::test_webhook_retry"],
                }
            },
        ),
        second,
        _part(
            second,
            0,
            "thinking",
            "CI fails on the retry test, which sleeps for real. "
            "The loop retries every non-2xx answer, including 4xx.",
        ),
        stats,
        _result(clock, stats, (8.0, 8.4), {"result": {"lines": 212, "words": 1480}}),
        third,
        _part(third, 0, "text", REVIEW),
        _final(clock, 14.9, REVIEW),
    ]
    return RecordedRun(
        agent_slug="code-review",
        input="Review pull request #482: retry with backoff in the Stripe webhook handler.",
        model=model,
        started_at=start,
        status="succeeded",
        steps=steps,
        output={"text": REVIEW},
    )


TEST_INPUT = "Run the payment service's integration tests and explain any failure."
TEST_REPORT = """All 148 integration tests pass (2 skipped: they need a live Stripe account).

The earlier timeout came from `test_refund_flow` waiting on the sandbox; it now finishes
in 4.1 s. No change is needed in the code."""


def failing_test_run(start: datetime) -> RecordedRun:
    """A test run whose tool times out and whose model provider is then overloaded."""
    clock = _Clock(start)
    model = "gpt-4.1-mini"
    first = _request(clock, 1, model, (0, 1.6), (1210, 96), 0.88, "tool_call")
    tests = _call(first, "call_tests", "run_tests", {"suite": "integration", "service": "payments"})
    overloaded = {"code": "provider-overloaded", "message": "The provider answered 529 Overloaded."}
    steps = [
        first,
        _part(first, 0, "thinking", "Start with the integration suite of the payment service."),
        tests,
        _result(clock, tests, (1.7, 31.7), {"error": "run_tests timed out after 30 s"}),
        StepRecord(
            key="req:2/attempt:1",
            kind="error",
            status="retrying",
            started_at=clock.at(31.9),
            content={**overloaded, "retry_in": 2.0},
        ),
        StepRecord(
            key="req:2/attempt:2",
            kind="error",
            status="retrying",
            started_at=clock.at(34.0),
            content={**overloaded, "retry_in": 4.0},
        ),
        StepRecord(
            key="error",
            kind="error",
            status="error",
            started_at=clock.at(38.2),
            content={
                "code": "provider-unavailable",
                "message": "The model provider stayed overloaded after 3 attempts.",
            },
        ),
    ]
    return RecordedRun(
        agent_slug="testing-validation",
        input=TEST_INPUT,
        model=model,
        started_at=start,
        status="failed",
        steps=steps,
        error={
            "code": "provider-unavailable",
            "message": "The model provider stayed overloaded after 3 attempts.",
        },
    )


def retried_test_run(start: datetime) -> RecordedRun:
    """The same input run again a few minutes later: it succeeds."""
    clock = _Clock(start)
    model = "gpt-4.1-mini"
    first = _request(clock, 1, model, (0, 1.4), (1210, 88), 0.9, "tool_call")
    tests = _call(first, "call_tests", "run_tests", {"suite": "integration", "service": "payments"})
    second = _request(clock, 2, model, (12.9, 16.2), (2630, 301), 0.95, "stop")
    steps = [
        first,
        tests,
        _result(clock, tests, (1.5, 12.7), {"result": {"passed": 148, "failed": 0, "skipped": 2}}),
        second,
        _part(second, 0, "text", TEST_REPORT),
        _final(clock, 16.3, TEST_REPORT),
    ]
    return RecordedRun(
        agent_slug="testing-validation",
        input=TEST_INPUT,
        model=model,
        started_at=start,
        status="succeeded",
        steps=steps,
        output={"text": TEST_REPORT},
        retry_of=1,
    )


GUIDE = """# Webhook retries

Luna retries a failed delivery up to 5 times, after 1, 2, 4, 8 and 16 minutes (with
jitter). A 4xx answer other than 429 is not retried: fix the endpoint, then redeliver
from the dashboard."""


def documentation_run(start: datetime) -> RecordedRun:
    """A short documentation draft from an on-device model: one request, no tools."""
    clock = _Clock(start)
    model = "llama3.2"
    only = _request(clock, 1, model, (0, 6.2), (860, 540), None, "stop")
    steps = [
        only,
        _part(
            only,
            0,
            "thinking",
            "A short operator-facing page: schedule, what is not retried, and what to do about it.",
        ),
        _part(only, 1, "text", GUIDE),
        _final(clock, 6.3, GUIDE),
    ]
    return RecordedRun(
        agent_slug="documentation",
        input="Document how webhook deliveries are retried, for the operations guide.",
        model=model,
        started_at=start,
        status="succeeded",
        steps=steps,
        output={"text": GUIDE},
    )


def recorded(now: datetime) -> list[RecordedRun]:
    """The story runs, an hour ago and after, in the order they happened."""
    start = now - timedelta(hours=1)
    return [
        code_review(start),
        failing_test_run(start + timedelta(minutes=12)),
        retried_test_run(start + timedelta(minutes=16)),
        documentation_run(start + timedelta(minutes=31)),
    ]


HISTORY_AGENTS: Final = (
    ("code-review", "claude-sonnet-4-6", "Review pull request #{n}."),
    ("testing-validation", "gpt-4.1-mini", "Run the test suite of build {n}."),
    ("documentation", "llama3.2", "Update the docs for release 2.{n}."),
    ("requirements-analyzer", "claude-sonnet-4-6", "Turn feedback ticket {n} into stories."),
)


def history(today: date, *, seed: int = 7) -> list[RecordedRun]:
    """Short runs on each of the :data:`HISTORY_DAYS` days before today, more on weekdays,
    one in twenty failed; the same ones for the same ``seed``."""
    generator = random.Random(seed)  # noqa: S311  (sample data, the same for a seed)
    runs = []
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        count = generator.randint(4, 9) if day.weekday() < 5 else generator.randint(0, 3)
        for _ in range(count):
            slug, model, template = generator.choice(HISTORY_AGENTS)
            start = datetime.combine(day, time(8), tzinfo=UTC) + timedelta(
                minutes=generator.randint(0, 10 * 60)
            )
            runs.append(_short_run(generator, slug, model, template, start))
    return runs


def _short_run(
    generator: random.Random, slug: str, model: str, template: str, start: datetime
) -> RecordedRun:
    clock = _Clock(start)
    tokens = (generator.randint(600, 4800), generator.randint(80, 1200))
    duration = round(generator.uniform(1.5, 12.0), 1)
    failed = generator.random() < 0.05
    request = _request(clock, 1, model, (0, duration), tokens, None, "stop")
    text = "Done: see the attached summary."
    ending = (
        StepRecord(
            key="error",
            kind="error",
            status="error",
            started_at=clock.at(duration),
            content={"code": "tool-failed", "message": "The repository was unreachable."},
        )
        if failed
        else _final(clock, duration, text)
    )
    return RecordedRun(
        agent_slug=slug,
        input=template.format(n=generator.randint(100, 999)),
        model=model,
        started_at=start,
        status="failed" if failed else "succeeded",
        steps=[request, ending],
        output=None if failed else {"text": text},
        error={"code": "tool-failed", "message": "The repository was unreachable."}
        if failed
        else None,
    )
