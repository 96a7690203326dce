"""Writing a run's steps: in order, each once, with the run's totals kept in step.

Every step has a key that names what it records (``req:2``, ``req:2/part:0``,
``req:2/call:toolu_1/result``). A recovered run replays its workflow and writes its
steps again; a key already stored is skipped, so nothing is duplicated, and the steps
its last attempt did not reach are written then, so nothing is missing. The step's
``sequence`` is the run's step counter, taken in the same transaction as the insert:
one run executes on one worker at a time, so the counter has one writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from luna.db.ids import new_id
from luna.observability.metrics import STEP_SECONDS
from luna.runs.bus import RunBus
from luna.runs.models import Run, RunStep

StepKind = Literal[
    "model_request", "thinking", "text", "tool_call", "tool_result", "approval", "final", "error"
]
StepStatus = Literal["done", "error", "pending", "retrying"]
MAX_TEXT_IN_STEP: Final = 100_000


@dataclass(frozen=True)
class StepRecord:
    """One step to store."""

    key: str
    kind: StepKind
    started_at: datetime
    ended_at: datetime | None = None
    name: str | None = None
    content: dict[str, Any] = field(default_factory=dict)
    parent_key: str | None = None
    status: StepStatus = "done"
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: Decimal = Decimal(0)
    confidence: float | None = None

    @property
    def latency_ms(self) -> float | None:
        """Milliseconds from start to end, when the step has both."""
        if self.ended_at is None:
            return None
        return round((self.ended_at - self.started_at).total_seconds() * 1000, 3)


def bounded(value: Any) -> Any:
    """``value`` with every long string cut to :data:`MAX_TEXT_IN_STEP` characters."""
    if isinstance(value, str):
        if len(value) <= MAX_TEXT_IN_STEP:
            return value
        return value[:MAX_TEXT_IN_STEP] + f"... [{len(value) - MAX_TEXT_IN_STEP} more characters]"
    if isinstance(value, dict):
        return {str(key): bounded(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [bounded(item) for item in value]
    return value


class StepWriter:
    """Stores the steps of one run and announces each on the bus."""

    def __init__(
        self,
        *,
        session_factory: async_sessionmaker[AsyncSession],
        bus: RunBus,
        run_id: str,
        workspace_id: str,
    ) -> None:
        self._session_factory = session_factory
        self._bus = bus
        self.run_id = run_id
        self.workspace_id = workspace_id
        self._ids: dict[str, str] = {}

    async def write(self, record: StepRecord) -> int | None:
        """Store a step; its sequence, or None when a step of that key was stored before."""
        return (await self.write_all([record]))[0]

    async def write_all(self, records: list[StepRecord]) -> list[int | None]:
        """Store steps in order, in one transaction; each one's sequence, or None for a
        step whose key was stored before."""
        async with self._session_factory() as session:
            keys = [record.key for record in records]
            rows = await session.execute(
                select(RunStep.key, RunStep.id).where(
                    RunStep.run_id == self.run_id, RunStep.key.in_(keys)
                )
            )
            stored = {key: step_id for key, step_id in rows}
            self._ids.update(stored)
            new = [record for record in records if record.key not in stored]
            last = await self._count_steps(session, new) if new else 0
            sequences: dict[str, int] = {}
            for offset, record in enumerate(new):
                sequence = last - len(new) + offset + 1
                parent_id = await self._step_id(session, record.parent_key)
                step = _new_step(record, self.run_id, self.workspace_id, sequence, parent_id)
                session.add(step)
                self._ids[record.key] = step.id
                sequences[record.key] = sequence
            await session.commit()
        if new:
            await self._bus.publish(self.run_id, {"type": "step", "sequence": last})
        for record in new:
            if record.latency_ms is not None and record.started_at != record.ended_at:
                STEP_SECONDS.labels(record.kind).observe(record.latency_ms / 1000)
        return [sequences.get(record.key) for record in records]

    async def _step_id(self, session: AsyncSession, key: str | None) -> str | None:
        if key is None:
            return None
        if key not in self._ids:
            found = await session.scalar(
                select(RunStep.id).where(RunStep.run_id == self.run_id, RunStep.key == key)
            )
            if found is None:
                return None
            self._ids[key] = found
        return self._ids[key]

    async def _count_steps(self, session: AsyncSession, records: list[StepRecord]) -> int:
        """Take the next sequences for ``records`` and add their totals to the run's;
        the last sequence taken."""
        result = await session.execute(
            update(Run)
            .where(Run.id == self.run_id)
            .values(
                step_count=Run.step_count + len(records),
                tokens_in=Run.tokens_in + sum(record.tokens_in for record in records),
                tokens_out=Run.tokens_out + sum(record.tokens_out for record in records),
                cost_usd=Run.cost_usd + sum((record.cost_usd for record in records), Decimal(0)),
            )
            .returning(Run.step_count)
        )
        return int(result.scalar_one())


def recorded_steps(records: list[StepRecord], *, run_id: str, workspace_id: str) -> list[RunStep]:
    """The rows of a whole run recorded beforehand (sample runs), numbered from 1, with
    each parent key resolved among ``records``; for live runs use :class:`StepWriter`."""
    ids: dict[str, str] = {}
    steps = []
    for sequence, record in enumerate(records, start=1):
        parent_id = ids.get(record.parent_key) if record.parent_key else None
        step = _new_step(record, run_id, workspace_id, sequence, parent_id)
        ids[record.key] = step.id
        steps.append(step)
    return steps


def _new_step(
    record: StepRecord, run_id: str, workspace_id: str, sequence: int, parent_id: str | None
) -> RunStep:
    return RunStep(
        id=new_id("stp"),
        run_id=run_id,
        workspace_id=workspace_id,
        sequence=sequence,
        key=record.key,
        parent_step_id=parent_id,
        kind=record.kind,
        status=record.status,
        name=record.name,
        content=bounded(record.content),
        started_at=record.started_at,
        ended_at=record.ended_at,
        latency_ms=record.latency_ms,
        tokens_in=record.tokens_in,
        tokens_out=record.tokens_out,
        cost_usd=record.cost_usd,
        confidence=record.confidence,
    )
