"""How long redaction takes on hostile text: long runs of the characters its patterns
match, which made patterns tried inside every run take over a minute before they were
anchored. Each case is timed at 25 %, 50 % and 100 % of its length: linear time doubles
with the length; quadratic time quadruples.

    uv run python bench/redaction_speed.py
"""

from __future__ import annotations

import argparse
import time

from luna.security.redaction import redact_text

CASES = {
    "dots": "a." * 50_000,
    "sk": "sk-" * 33_000,
    "jwt": "eyJ-" * 25_000,
    "scheme": "a+" * 50_000,
    "local-part": "a.b" * 33_000 + "@",
    "at-signs": "a@" * 50_000,
    "parameters": "token=a&" * 12_000,
    "quotes": 'password: "' * 9_000,
}


def best_of(text: str, repeats: int) -> float:
    """The fastest of ``repeats`` redactions of ``text``, in milliseconds."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        redact_text(text)
        timings.append((time.perf_counter() - started) * 1000)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    arguments = parser.parse_args()
    print("| case | characters | 25 % | 50 % | 100 % | 100 % / 50 % |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, text in CASES.items():
        quarter, half, whole = (
            best_of(text[: len(text) * share // 4], arguments.repeats) for share in (1, 2, 4)
        )
        print(
            f"| {name} | {len(text):,} | {quarter:.1f} ms | {half:.1f} ms | {whole:.1f} ms "
            f"| {whole / half:.2f} |"
        )


if __name__ == "__main__":
    main()
