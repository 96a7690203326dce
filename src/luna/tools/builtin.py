"""The built-in tools that need nothing outside the process: calculator, current_time,
json_query and text_stats.

Each is a plain function whose docstring is the description the model reads. Input the
model can correct (a malformed expression, an unknown time zone, a bad path) raises
``ModelRetry`` with a message saying what to change. None of them runs tenant code:
the calculator walks the syntax tree of an arithmetic expression and never calls eval.
"""

from __future__ import annotations

import ast
import functools
import json
import math
import operator
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, available_timezones

from pydantic import BaseModel
from pydantic_ai import ModelRetry

MAX_EXPRESSION_LENGTH: Final = 500
# Python refuses to print integers of more than 4300 digits.
MAX_INTEGER_DIGITS: Final = 4000
MAX_EXPONENT: Final = 10_000
MAX_DOCUMENT_CHARACTERS: Final = 1_000_000
MAX_PATH_LENGTH: Final = 500
WORDS_PER_MINUTE: Final = 200

Number = int | float
_OPERATORS: Final[dict[type[ast.operator], Callable[[Any, Any], Any]]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_FUNCTIONS: Final[dict[str, Callable[..., Any]]] = {
    "abs": abs,
    "round": round,
    "min": min,
    "max": max,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "log2": math.log2,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
    "floor": math.floor,
    "ceil": math.ceil,
}
_CONSTANTS: Final[dict[str, float]] = {"pi": math.pi, "e": math.e, "tau": math.tau}


def calculator(expression: str) -> Number:
    """Evaluate an arithmetic expression exactly as a calculator would.

    Args:
        expression: Numbers, + - * / // % ** and parentheses, the constants pi, e and tau,
            and the functions abs, round, min, max, sqrt, exp, log, log10, log2, sin, cos,
            tan, asin, acos, atan, floor and ceil. Example: `(2 + 3) * sqrt(16) / 4`.
    """
    if len(expression) > MAX_EXPRESSION_LENGTH:
        raise ModelRetry(f"The expression is longer than {MAX_EXPRESSION_LENGTH} characters.")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        raise ModelRetry(f"{expression!r} is not an arithmetic expression.") from None
    try:
        result = _evaluate(tree.body)
    except ZeroDivisionError:
        raise ModelRetry("The expression divides by zero.") from None
    except RecursionError:
        raise ModelRetry("The expression is nested too deeply.") from None
    except (OverflowError, ValueError, TypeError) as exc:
        raise ModelRetry(f"The expression cannot be computed: {exc}.") from None
    if isinstance(result, float) and not math.isfinite(result):
        raise ModelRetry("The result is not a finite number.")
    return result


def _evaluate(node: ast.expr) -> Number:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _bounded(node.value)
    if isinstance(node, ast.Name) and node.id in _CONSTANTS:
        return _CONSTANTS[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _evaluate(node.operand)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        left, right = _evaluate(node.left), _evaluate(node.right)
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        return _bounded(_OPERATORS[type(node.op)](left, right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        function = _FUNCTIONS.get(node.func.id)
        if function is not None:
            return _bounded(function(*(_evaluate(argument) for argument in node.args)))
    raise ValueError(
        f"{ast.unparse(node)!r} is not allowed; use numbers, operators and the listed functions"
    )


def _check_power(base: Number, exponent: Number) -> None:
    """Refuse powers whose result would be an integer too large to compute quickly."""
    if abs(exponent) > MAX_EXPONENT:
        raise ValueError(f"exponents are limited to {MAX_EXPONENT}")
    whole = isinstance(base, int) and isinstance(exponent, int)
    if whole and abs(base) > 1 and exponent * math.log10(abs(base)) > MAX_INTEGER_DIGITS:
        raise ValueError(f"the result would have more than {MAX_INTEGER_DIGITS} digits")


def _bounded(value: Any) -> Number:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("the result is not a real number")
    if isinstance(value, int) and value.bit_length() > MAX_INTEGER_DIGITS * 3.33:
        raise ValueError(f"the result would have more than {MAX_INTEGER_DIGITS} digits")
    return value


class CurrentTime(BaseModel):
    """The current date and time in a time zone."""

    timezone: str
    iso: str
    date: str
    time: str
    weekday: str
    utc_offset: str
    unix_seconds: int


def current_time(timezone: str = "UTC", *, now: datetime) -> CurrentTime:
    """The current date and time.

    Args:
        timezone: An IANA time zone such as `Europe/Paris` or `America/New_York`.
    """
    if timezone not in _time_zones():
        raise ModelRetry(f"{timezone!r} is not an IANA time zone; try e.g. 'Europe/Paris'.")
    local = now.astimezone(ZoneInfo(timezone))
    offset = local.strftime("%z")
    return CurrentTime(
        timezone=timezone,
        iso=local.isoformat(timespec="seconds"),
        date=local.date().isoformat(),
        time=local.strftime("%H:%M:%S"),
        weekday=local.strftime("%A"),
        utc_offset=f"{offset[:3]}:{offset[3:]}",
        unix_seconds=int(now.timestamp()),
    )


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones() | {"UTC"})


_PATH_STEP: Final = re.compile(
    r"""\.(?P<name>[A-Za-z_$][\w$-]*)"""
    r"""|\[(?P<index>-?\d+)\]"""
    r"""|\[(?P<quoted>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\]"""
    r"""|(?P<wildcard>\.\*|\[\*\])"""
)


def json_query(document: str, path: str) -> Any:
    """Pick values out of a JSON document with a path.

    Args:
        document: The JSON document, as text.
        path: Where the values are: `$` is the whole document, then `.name` or `["any
            name"]` for a key, `[0]` or `[-1]` for a list item and `[*]` or `.*` for every
            item. Example: `$.items[0].tags[*]`.
    """
    if len(document) > MAX_DOCUMENT_CHARACTERS:
        raise ModelRetry(f"The document is longer than {MAX_DOCUMENT_CHARACTERS} characters.")
    try:
        value = json.loads(document)
    except json.JSONDecodeError as exc:
        raise ModelRetry(f"The document is not valid JSON: {exc}.") from None
    except RecursionError:
        raise ModelRetry("The document is nested too deeply to read.") from None
    return _select(value, _parse_path(path))


def _parse_path(path: str) -> list[tuple[str, Any]]:
    """The steps of a path: ("key", name), ("index", n) or ("all", None)."""
    if len(path) > MAX_PATH_LENGTH:
        raise ModelRetry(f"The path is longer than {MAX_PATH_LENGTH} characters.")
    text = path.strip().removeprefix("$")
    if text and text[0] not in ".[":
        text = "." + text
    steps: list[tuple[str, Any]] = []
    position = 0
    while position < len(text):
        match = _PATH_STEP.match(text, position)
        if match is None:
            raise ModelRetry(
                f"The path {path!r} cannot be read at {text[position:]!r}: use .name, "
                '["name"], [0] or [*] steps, as in $.items[0].name.'
            )
        steps.append(_step(match))
        position = match.end()
    return steps


def _step(match: re.Match[str]) -> tuple[str, Any]:
    if match["name"] is not None:
        return ("key", match["name"])
    if match["index"] is not None:
        return ("index", int(match["index"]))
    if match["quoted"] is not None:
        # Backslash escapes a quote or a backslash, in either kind of quotes.
        return ("key", re.sub(r"\\(.)", r"\1", match["quoted"][1:-1]))
    return ("all", None)


def _select(value: Any, steps: list[tuple[str, Any]]) -> Any:
    for number, (kind, argument) in enumerate(steps):
        if kind == "all":
            return [_select(item, steps[number + 1 :]) for item in _items(value)]
        value = _follow(value, kind, argument)
    return value


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return value
    raise ModelRetry(f"[*] needs a list or an object, not {_type_name(value)}.")


def _follow(value: Any, kind: str, argument: Any) -> Any:
    if kind == "key":
        if not isinstance(value, dict):
            raise ModelRetry(f"Key {argument!r} needs an object, not {_type_name(value)}.")
        if argument not in value:
            keys = ", ".join(repr(key) for key in list(value)[:20])
            raise ModelRetry(f"There is no key {argument!r}; the keys there are: {keys}.")
        return value[argument]
    if not isinstance(value, list):
        raise ModelRetry(f"Index [{argument}] needs a list, not {_type_name(value)}.")
    if not -len(value) <= argument < len(value):
        raise ModelRetry(f"Index [{argument}] is outside the list of {len(value)} items.")
    return value[argument]


def _type_name(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    return names.get(type(value), "null" if value is None else "a number")


class TextStats(BaseModel):
    """Counts over a text, and how long it takes to read."""

    characters: int
    characters_without_spaces: int
    words: int
    lines: int
    sentences: int
    paragraphs: int
    reading_time_minutes: float


# Apostrophes (' and \u2019) and hyphens join the parts of a word.
_WORD: Final = re.compile(r"\w+(?:['\u2019-]\w+)*")
_SENTENCE_END: Final = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*(?=\s|$)")


def text_stats(text: str) -> TextStats:
    """Count the characters, words, lines, sentences and paragraphs of a text, and
    estimate its reading time (at 200 words a minute).

    Args:
        text: The text to measure.
    """
    words = len(_WORD.findall(text))
    stripped = text.strip()
    ends = list(_SENTENCE_END.finditer(stripped))
    tail = stripped[ends[-1].end() :] if ends else stripped
    sentences = len(ends) + (1 if _WORD.search(tail) else 0)  # the last may lack a stop
    return TextStats(
        characters=len(text),
        characters_without_spaces=sum(1 for character in text if not character.isspace()),
        words=words,
        lines=len(text.splitlines()),
        sentences=sentences,
        paragraphs=len([block for block in re.split(r"\n\s*\n", stripped) if block.strip()]),
        reading_time_minutes=round(words / WORDS_PER_MINUTE, 1),
    )
