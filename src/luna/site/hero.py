"""The landing page's run graph: the demo workspace's recorded code review, drawn top down
as the run page draws it, with each node's time in the recording so that ``hero.js``
replays it (a page without scripts, or a reader who prefers less motion, sees it whole).

Each tool call and its result are one node here, as they fit the hero's width; the
figures (tokens, durations, confidence, cost) are the recording's own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Final

from luna.demo.scenarios import RecordedRun, code_review
from luna.runs.steps import StepRecord

WIDTH: Final = 520
NODE_HEIGHT: Final = 42
RANK_GAP: Final = 64
NODE_WIDTH: Final = 250.0
TOP: Final = 12
# The recording plays this many times faster than the run took.
SPEED: Final = 3


@dataclass(frozen=True)
class HeroNode:
    key: str
    kind: str  # model, thinking, tool, answer: the node's colour
    label: str
    meta: str
    rank: int
    x: float
    width: float
    at_ms: int  # when the node appears in the replay

    @property
    def y(self) -> int:
        return TOP + self.rank * RANK_GAP

    @property
    def height(self) -> int:
        return NODE_HEIGHT

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class HeroEdge:
    path: str
    at_ms: int


@dataclass(frozen=True)
class HeroGraph:
    nodes: tuple[HeroNode, ...]
    edges: tuple[HeroEdge, ...]
    height: int
    duration_ms: int
    input: str


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _ms(run: RecordedRun, moment: datetime) -> int:
    return round((moment - run.started_at).total_seconds() * 1000 / SPEED)


def _rows(run: RecordedRun) -> list[list[StepRecord]]:
    """The recording's steps in ranks: each model request, its thinking, the tools it
    called side by side, and the answer; parts with text are the answer's."""
    rows: list[list[StepRecord]] = []
    for step in run.steps:
        if step.kind in ("model_request", "thinking", "final"):
            rows.append([step])
        elif step.kind == "tool_call":
            if rows and rows[-1][0].kind == "tool_call":
                rows[-1].append(step)
            else:
                rows.append([step])
    return rows


def _result_of(run: RecordedRun, call: StepRecord) -> StepRecord | None:
    return next((s for s in run.steps if s.parent_key == call.key), None)


def _describe(run: RecordedRun, step: StepRecord) -> tuple[str, str, str, datetime]:
    """A node's colour, label, figures and the moment it is complete in the recording."""
    ended = step.ended_at or step.started_at
    if step.kind == "model_request":
        took = (ended - step.started_at).total_seconds()
        confidence = f" · confidence {step.confidence:.2f}" if step.confidence else ""
        return (
            "model",
            "Model request",
            f"{step.tokens_in:,} tok in · {_seconds(took)}" + (confidence),
            ended,
        )
    if step.kind == "thinking":
        text = str(step.content.get("text", ""))
        return "thinking", "Thinking", text[:36].rstrip() + "…", ended
    if step.kind == "tool_call":
        result = _result_of(run, step)
        done = (result.ended_at or result.started_at) if result else ended
        took = (done - step.started_at).total_seconds()
        return "tool", f"Tool · {step.name}", f"{_seconds(took)}", done
    cost = sum((s.cost_usd or Decimal(0)) for s in run.steps)
    tokens_out = sum(s.tokens_out for s in run.steps)
    return "answer", "Answer", f"{tokens_out:,} tok out · ${cost:.3f}", ended


@functools.cache
def hero_graph() -> HeroGraph:
    """The recorded code review, laid out and timed for the landing page."""
    run = code_review(datetime(2026, 1, 1, tzinfo=UTC))
    nodes: list[HeroNode] = []
    for rank, row in enumerate(_rows(run)):
        width = NODE_WIDTH if len(row) == 1 else min(NODE_WIDTH, (WIDTH - 40) / len(row) - 20)
        span = len(row) * width + (len(row) - 1) * 40
        left = (WIDTH - span) / 2
        for index, step in enumerate(row):
            kind, label, meta, moment = _describe(run, step)
            nodes.append(
                HeroNode(
                    key=step.key,
                    kind=kind,
                    label=label,
                    meta=meta,
                    rank=rank,
                    x=left + index * (width + 40),
                    width=width,
                    at_ms=_ms(run, moment),
                )
            )
    edges = tuple(_edges(nodes))
    height = TOP + (nodes[-1].rank + 1) * RANK_GAP - (RANK_GAP - NODE_HEIGHT) + TOP
    return HeroGraph(
        nodes=tuple(nodes),
        edges=edges,
        height=height,
        duration_ms=max(node.at_ms for node in nodes),
        input=run.input,
    )


def _edges(nodes: list[HeroNode]) -> list[HeroEdge]:
    """Each node of a rank from each node of the rank above it, drawn when it appears."""
    edges: list[HeroEdge] = []
    by_rank: dict[int, list[HeroNode]] = {}
    for node in nodes:
        by_rank.setdefault(node.rank, []).append(node)
    for rank in range(1, len(by_rank)):
        for upper in by_rank[rank - 1]:
            for lower in by_rank[rank]:
                top, bottom = upper.y + NODE_HEIGHT, lower.y - 2
                middle = (top + bottom) / 2
                path = (
                    f"M{upper.centre:.0f} {top} C{upper.centre:.0f} {middle:.0f} "
                    f"{lower.centre:.0f} {middle:.0f} {lower.centre:.0f} {bottom}"
                )
                edges.append(HeroEdge(path=path, at_ms=lower.at_ms))
    return edges
