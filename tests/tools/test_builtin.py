"""The built-in tools that need nothing outside the process."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest
from pydantic_ai import ModelRetry

from luna.tools.builtin import calculator, current_time, json_query, text_stats


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("-4 + +2", -2),
        ("7 // 2", 3),
        ("7 % 4", 3),
        ("2 ** 10", 1024),
        ("2 ** -1", 0.5),
        ("10 / 4", 2.5),
        ("sqrt(16) + abs(-2)", 6.0),
        ("round(pi, 2)", 3.14),
        ("max(1, 5, 3) - min(4, 2)", 3),
        ("floor(2.7) + ceil(2.1)", 5),
        ("log10(1000)", 3.0),
        ("  12  ", 12),
        ("-" * 490 + "1", 1),
    ],
)
def test_the_calculator_computes_arithmetic(expression: str, expected: float) -> None:
    assert calculator(expression) == pytest.approx(expected)


def test_the_calculator_keeps_integers_exact() -> None:
    assert calculator("3 ** 40") == 3**40
    assert calculator("2 ** 100 + 1") == 2**100 + 1


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os').system('true')",
        "os.system",
        "(1).__class__",
        "open('/etc/passwd')",
        "x",
        "[1, 2]",
        "'text' * 3",
        "True + 1",
        "1 if 1 else 2",
        "lambda: 1",
        "sqrt(x=4)",
        "1 < 2",
        "1j",
        "print(1)",
    ],
)
def test_the_calculator_refuses_anything_but_arithmetic(expression: str) -> None:
    with pytest.raises(ModelRetry, match=r"not allowed|not an arithmetic expression"):
        calculator(expression)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("9 ** 9 ** 9", "exponents are limited"),
        ("10 ** 5000", "more than 4000 digits"),
        ("(10 ** 3000) * (10 ** 3000)", "more than 4000 digits"),
        ("2 ** 100000", "exponents are limited"),
        ("1 / 0", "divides by zero"),
        ("5 % 0", "divides by zero"),
        ("sqrt(-1)", "cannot be computed"),
        ("exp(1000)", "cannot be computed"),
        ("(-8) ** 0.5", "not a real number"),
        ("1e308 * 10", "not a finite number"),
        ("sqrt()", "cannot be computed"),
        ("1 +", "not an arithmetic expression"),
        ("1" * 501, "longer than 500"),
        ("(" * 201 + "1" + ")" * 201, "not an arithmetic expression"),
    ],
)
def test_the_calculator_explains_what_it_cannot_compute(expression: str, message: str) -> None:
    with pytest.raises(ModelRetry, match=message):
        calculator(expression)


def test_current_time_in_a_time_zone() -> None:
    now = datetime(2026, 7, 14, 12, 30, 5, tzinfo=UTC)
    paris = current_time("Europe/Paris", now=now)
    assert paris.iso == "2026-07-14T14:30:05+02:00"
    assert (paris.date, paris.time, paris.weekday) == ("2026-07-14", "14:30:05", "Tuesday")
    assert paris.utc_offset == "+02:00"
    assert paris.unix_seconds == int(now.timestamp())
    assert current_time(now=now).iso == "2026-07-14T12:30:05+00:00"
    assert current_time("America/New_York", now=now).utc_offset == "-04:00"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "", "europe/paris"])
def test_current_time_refuses_unknown_zones(zone: str) -> None:
    with pytest.raises(ModelRetry, match=r"not an IANA time zone"):
        current_time(zone, now=datetime.now(UTC))


DOCUMENT = json.dumps(
    {
        "items": [
            {"name": "a", "tags": ["x", "y"], "price": 1.5},
            {"name": "b", "tags": [], "price": 2},
        ],
        "meta": {"total count": 2, "next": None},
    }
)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", json.loads(DOCUMENT)),
        ("", json.loads(DOCUMENT)),
        ("$.items[0].name", "a"),
        ("items[1].price", 2),
        ("$.items[-1].name", "b"),
        ("$.items[*].name", ["a", "b"]),
        ("$.items[0].tags.*", ["x", "y"]),
        ('$.meta["total count"]', 2),
        ("$.meta['total count']", 2),
        ("$.meta.next", None),
        ("$.meta[*]", [2, None]),
    ],
)
def test_json_query_selects_values(path: str, expected: object) -> None:
    assert json_query(DOCUMENT, path) == expected


@pytest.mark.parametrize(
    ("document", "path", "message"),
    [
        (DOCUMENT, "$.items[", "cannot be read at '\\['"),
        (DOCUMENT, "$.items..name", "cannot be read"),
        (DOCUMENT, "$.missing", "no key 'missing'; the keys there are: 'items', 'meta'"),
        (DOCUMENT, "$.items[5]", "outside the list of 2 items"),
        (DOCUMENT, "$.items.name", "needs an object, not a list"),
        (DOCUMENT, "$.meta[0]", "needs a list, not an object"),
        (DOCUMENT, "$.items[0].name[*]", "needs a list or an object, not a string"),
        ("{not json", "$", "not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "$", "nested too deeply"),
    ],
)
def test_json_query_says_what_is_wrong(document: str, path: str, message: str) -> None:
    with pytest.raises(ModelRetry, match=message):
        json_query(document, path)


def test_text_stats_counts_and_estimates_reading_time() -> None:
    text = "Hello there! It's a test.\nSecond line, no stop\n\nA new paragraph?  Yes"
    stats = text_stats(text)
    assert stats.characters == len(text)
    assert stats.characters_without_spaces == len("".join(text.split()))
    assert stats.words == 13
    assert stats.lines == 4
    assert stats.sentences == 4
    assert stats.paragraphs == 2
    assert stats.reading_time_minutes == 0.1
    assert text_stats("word " * 1000).reading_time_minutes == 5.0


def test_text_stats_of_nothing() -> None:
    stats = text_stats("")
    assert (stats.characters, stats.words, stats.lines, stats.sentences, stats.paragraphs) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert math.isclose(stats.reading_time_minutes, 0)
