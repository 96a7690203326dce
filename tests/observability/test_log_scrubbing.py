"""The scrubbing of log events: secrets redacted, values and lines bounded."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
import structlog

from luna.observability.log_scrubbing import (
    MAX_DEPTH,
    MAX_ITEMS,
    MAX_LINE_CHARS,
    MAX_STRING_CHARS,
    TOO_DEEP,
    BoundedRenderer,
    scrub_event,
    truncated,
)
from luna.security.redaction import REDACTED

API_KEY = "luna_sk_Zm9vYmFyYmF6cXV4MDEyMzQ1Njc4OWFiY2RlZmdoaWprbG1u"


def scrub(**event: Any) -> dict[str, Any]:
    return dict(scrub_event(None, "info", event))


def test_a_long_string_keeps_its_start_and_end_and_says_what_was_cut() -> None:
    text = "start " + "x" * 10_000 + " end"
    cut = truncated(text)
    assert cut.startswith("start ") and cut.endswith(" end")
    assert "[truncated 6010 characters]" in cut
    assert len(cut) < MAX_STRING_CHARS + 40
    assert truncated("short") == "short"


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"authorization": f"Bearer {API_KEY}"}, {"authorization": REDACTED}),
        ({"headers": {"Cookie": "luna_session=abc"}}, {"headers": {"Cookie": REDACTED}}),
        ({"body": {"user": {"password": "hunter2"}}}, {"body": {"user": {"password": REDACTED}}}),
        ({"note": f"key {API_KEY} used"}, {"note": f"key {REDACTED} used"}),
        (
            {"headers": [(b"x-api-key", b"abc"), (b"host", b"luna.test")]},
            {"headers": [["x-api-key", REDACTED], ["host", "luna.test"]]},
        ),
        ({"token": None, "has_password": True}, {"token": None, "has_password": True}),
        (
            {"status": 200, "duration_ms": 1.5, "ok": True, "user_id": None},
            {"status": 200, "duration_ms": 1.5, "ok": True, "user_id": None},
        ),
        ({"path": "/api/v1/agents/agt_01"}, {"path": "/api/v1/agents/agt_01"}),
    ],
)
def test_secrets_are_redacted_at_any_depth(event: dict[str, Any], expected: dict[str, Any]) -> None:
    assert scrub(**event) == expected


def test_other_objects_are_written_as_their_repr_scrubbed() -> None:
    class Credentials:
        def __repr__(self) -> str:
            return f"Credentials(key={API_KEY!r})"

    assert scrub(client=Credentials()) == {"client": f"Credentials(key='{REDACTED}')"}


def test_keys_that_are_not_text_become_text() -> None:
    scrubbed = scrub(by_key={("a", 1): "x", b"cookie": "luna_session=abc", 7: "seven"})
    assert scrubbed == {"by_key": {"('a', 1)": "x", "b'cookie'": REDACTED, "7": "seven"}}
    json.dumps(scrubbed)


def test_the_event_given_is_left_unchanged() -> None:
    event = {"request": {"headers": {"authorization": "Bearer x"}, "items": list(range(80))}}
    before = copy.deepcopy(event)
    scrub_event(None, "info", event)
    assert event == before


def test_long_and_deep_structures_are_cut_short() -> None:
    deep: Any = "bottom"
    for _ in range(MAX_DEPTH + 3):
        deep = [deep]
    scrubbed = scrub(
        items=list(range(MAX_ITEMS + 25)),
        mapping={f"k{index}": index for index in range(MAX_ITEMS + 5)},
        deep=deep,
        text="x" * (MAX_STRING_CHARS * 3),
    )
    assert scrubbed["items"][-1] == "[truncated: 25 more items]"
    assert len(scrubbed["items"]) == MAX_ITEMS + 1
    assert scrubbed["mapping"]["truncated"] == "5 more items"
    assert TOO_DEEP in json.dumps(scrubbed["deep"])
    assert len(scrubbed["text"]) < MAX_STRING_CHARS + 40


def test_a_line_over_the_limit_keeps_its_essentials() -> None:
    render = BoundedRenderer(structlog.processors.JSONRenderer())
    event = {
        "event": "big",
        "level": "info",
        "request_id": "req_1",
        **{f"field_{index}": "y" * 3_000 for index in range(20)},
    }
    line = render(None, "info", event)
    assert len(line) <= MAX_LINE_CHARS
    written = json.loads(line)
    assert written["event"] == "big" and written["request_id"] == "req_1"
    assert written["truncated"].startswith("the line had ")
    assert "field_0" not in written


def test_a_line_within_the_limit_is_written_whole() -> None:
    render = BoundedRenderer(structlog.processors.JSONRenderer())
    assert json.loads(render(None, "info", {"event": "small", "n": 1})) == {
        "event": "small",
        "n": 1,
    }
