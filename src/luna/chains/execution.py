"""The chain workflow: a chain run's nodes as child workflows, in waves.

:mod:`graphlib` hands out the nodes whose predecessors are all done; each such wave
starts the runs of its nodes together (independent branches run side by side) and waits
for all of them before the next wave. A node whose predecessor failed or was skipped is
skipped; a chain with failed nodes and finished ones ends ``partial``. Every decision is
a DBOS step or a child workflow whose id is the node's run id, so a worker that dies
mid-chain is recovered without running a finished node again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from graphlib import TopologicalSorter
from typing import Any, Final

from dbos import DBOS, SetWorkflowID
from sqlalchemy import func, select, update

from luna.agents.definition import ModelChoice
from luna.chains.definition import ChainDefinition, render_prompt
from luna.chains.events import record_event
from luna.chains.models import (
    CHAIN_RUN_FINISHED,
    ChainRun,
    ChainRunNode,
    ChainRunStatus,
    ChainVersion,
    NodeStatus,
)
from luna.chains.runs import WORKFLOW_NAME, node_run_totals, transition
from luna.chains.swarms import accepted, answer_node, review_node
from luna.db.base import utcnow
from luna.errors import Conflict, LunaError, NotFound
from luna.observability.logging import get_logger
from luna.runs.models import FINISHED as RUN_FINISHED
from luna.runs.models import Run, RunStatus
from luna.runs.queue import execute_run_workflow
from luna.runs.runtime import current_runtime
from luna.runs.service import cancel_run, create_node_run

log = get_logger(__name__)

# How often a chain looks again at a node run that paused for a person's approval.
NODE_POLL_SECONDS: Final = 2.0
# How long a chain waiting for a decision on a node sleeps between looks at whether it
# was cancelled meanwhile (a decision wakes it at once).
APPROVAL_POLL: Final = 3600.0
# How often a race looks at its runs for the first to finish.
RACE_POLL_SECONDS: Final = 1.0


@DBOS.workflow(name=WORKFLOW_NAME)
async def execute_chain_workflow(chain_run_id: str) -> str:
    """Run a chain run's nodes to the end; returns the chain run's status."""
    return await execute_chain(chain_run_id)


async def execute_chain(chain_run_id: str) -> str:
    started = await _start(chain_run_id)
    if "status" in started:
        return str(started["status"])
    chain = _ChainExecution(
        chain_run_id, ChainDefinition.model_validate(started["definition"]), str(started["input"])
    )
    if chain.definition.strategy == "race":
        return await _race(chain)
    while chain.sorter.is_active():
        if await _stopped(chain_run_id):
            return ChainRunStatus.CANCELLED
        wave = await chain.next_wave()
        handles = await chain.start(wave)
        await asyncio.gather(*(handle.get_result() for _, _, handle in handles))
        await chain.settle(handles)
        if chain.definition.strategy == "debate" and (round_number := chain.accepted_round()):
            await _skip(chain_run_id, chain.unfinished(), "The critic accepted an answer.")
            await _decided(chain_run_id, {"strategy": "debate", "accepted_round": round_number})
            break
    return await _finish(chain_run_id, chain.definition, chain.outputs, chain.broken)


async def _race(chain: _ChainExecution) -> str:
    """Start every node at once; the first to succeed wins and the others are cancelled
    (their runs' cost still counts). Every look is a step, so a recovered race picks
    the same winner."""
    handles = await chain.start(await chain.next_wave())
    pending = {node_id: run_id for node_id, run_id, _ in handles}
    winner: str | None = None
    while pending and winner is None:
        for node_id, ended in (await _race_look(chain.chain_run_id, pending)).items():
            del pending[node_id]
            chain.done(node_id, str(ended["text"]) if ended["ok"] else None)
            if ended["ok"] and winner is None:
                winner = node_id
        if winner is None and pending:
            if await _stopped(chain.chain_run_id):
                return ChainRunStatus.CANCELLED
            await DBOS.sleep_async(RACE_POLL_SECONDS)
    if winner is None:
        return await _finish_step(chain.chain_run_id, {}, sorted(chain.broken), True)
    await _cancel_losers(chain.chain_run_id, pending)
    await _decided(chain.chain_run_id, {"strategy": "race", "winner": winner})
    return await _finish_step(chain.chain_run_id, {winner: chain.outputs[winner]}, [], False)


class _ChainExecution:
    """What the workflow knows as it goes: the graph's progress, the answers so far and
    the nodes that failed or were skipped. Rebuilt the same way on recovery, from the
    steps' recorded results."""

    def __init__(self, chain_run_id: str, definition: ChainDefinition, chain_input: str) -> None:
        self.chain_run_id = chain_run_id
        self.definition = definition
        self.chain_input = chain_input
        self.predecessors = definition.predecessors()
        self.sorter = TopologicalSorter(self.predecessors)
        self.sorter.prepare()
        self.outputs: dict[str, str] = {}
        self.broken: set[str] = set()

    async def next_wave(self) -> list[str]:
        """The nodes ready to run; those after a failed or skipped node are skipped."""
        wave = []
        for node_id in sorted(self.sorter.get_ready()):
            if self.broken & set(self.predecessors[node_id]):
                await _settle(self.chain_run_id, node_id, NodeStatus.SKIPPED)
                self.done(node_id, None)
            else:
                wave.append(node_id)
        return wave

    async def start(self, wave: list[str]) -> list[tuple[str, str, Any]]:
        """Start the run of each node of the wave as a child workflow; those that pause
        for approval last, each once a person approves it (a rejected one is skipped)."""
        handles = []
        for node_id in sorted(wave, key=lambda n: self.definition.node(n).approval):
            node = self.definition.node(node_id)
            if node.approval and not await self._approved(node_id):
                self.done(node_id, None)
                continue
            prompt = render_prompt(
                node,
                chain_input=self.chain_input,
                predecessors=self.predecessors[node_id],
                outputs=self.outputs,
            )
            model = node.model.model_dump(mode="json") if node.model else None
            made = await _start_node(self.chain_run_id, node_id, node.agent_id or "", prompt, model)
            if "run_id" not in made:
                self.done(node_id, None)
                continue
            with SetWorkflowID(made["run_id"]):
                handle = await DBOS.start_workflow_async(execute_run_workflow, made["run_id"], 0)
            handles.append((node_id, made["run_id"], handle))
        return handles

    async def settle(self, handles: list[tuple[str, str, Any]]) -> None:
        """Record how each node of the wave ended, once its run has finished (a run
        paused for a tool approval is looked at again until it does)."""
        for node_id, run_id, _ in handles:
            while not (ended := await _finish_node(self.chain_run_id, node_id, run_id))["finished"]:
                await DBOS.sleep_async(NODE_POLL_SECONDS)
            self.done(node_id, str(ended["text"]) if ended["ok"] else None)

    def accepted_round(self) -> int | None:
        """In a debate, the round whose review accepted its answer, if one has."""
        rounds = self.definition.rounds or 0
        for number in range(1, rounds + 1):
            review = self.outputs.get(review_node(number))
            if review is not None and accepted(review):
                return number
        return None

    def unfinished(self) -> list[str]:
        """The nodes that have not run, in the definition's order."""
        ended = set(self.outputs) | self.broken
        return [node.id for node in self.definition.nodes if node.id not in ended]

    async def _approved(self, node_id: str) -> bool:
        """Pause the chain until a person decides on the node; whether it may run. The
        wait survives restarts: the decision is a message kept for the workflow."""
        await _pause(self.chain_run_id, node_id)
        while (decision := await DBOS.recv_async(approval_topic(node_id), APPROVAL_POLL)) is None:
            if await _stopped(self.chain_run_id):
                return False
        return await _resume(self.chain_run_id, node_id, bool(decision.get("approved")))

    def done(self, node_id: str, answer: str | None) -> None:
        """Record how a node ended: its answer, or None when it failed or was skipped."""
        if answer is None:
            self.broken.add(node_id)
        else:
            self.outputs[node_id] = answer
        self.sorter.done(node_id)


@DBOS.step(name="luna.chains.start")
async def _start(chain_run_id: str) -> dict[str, Any]:
    """Mark the chain run running; its definition and input, or its status when there is
    nothing to do (missing, or finished already)."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        run = await session.get(ChainRun, chain_run_id)
        if run is None:
            log.warning("chain run to execute is missing", chain_run_id=chain_run_id)
            return {"status": "missing"}
        if run.status in CHAIN_RUN_FINISHED:
            return {"status": run.status}
        version = await session.get(ChainVersion, run.chain_version_id)
        if version is None:
            return {"status": "missing"}
        await transition(
            session, run.id, ChainRunStatus.RUNNING, started_at=run.started_at or utcnow()
        )
        await record_event(session, run.id, "chain.started", chain_id=run.chain_id)
        await session.commit()
        return {"definition": version.definition, "input": run.input}


def approval_topic(node_id: str) -> str:
    """The topic a chain run's workflow receives the decision on ``node_id`` under
    (:func:`luna.chains.runs.decide_node` sends it)."""
    return f"approval:{node_id}"


@DBOS.step(name="luna.chains.pause")
async def _pause(chain_run_id: str, node_id: str) -> None:
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        await _mark_node(session, chain_run_id, node_id, NodeStatus.AWAITING_APPROVAL)
        if await transition(session, chain_run_id, ChainRunStatus.PAUSED):
            await record_event(session, chain_run_id, "chain.paused", node_id=node_id)
        await session.commit()


@DBOS.step(name="luna.chains.resume")
async def _resume(chain_run_id: str, node_id: str, approved: bool) -> bool:
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        if approved:
            await _mark_node(session, chain_run_id, node_id, NodeStatus.PENDING)
        else:
            await _mark_node(
                session, chain_run_id, node_id, NodeStatus.SKIPPED, finished_at=utcnow()
            )
            await record_event(
                session, chain_run_id, "node.skipped", node_id=node_id, reason="rejected"
            )
        paused_for_others = await session.scalar(
            select(func.count())
            .select_from(ChainRunNode)
            .where(
                ChainRunNode.chain_run_id == chain_run_id,
                ChainRunNode.status == NodeStatus.AWAITING_APPROVAL,
            )
        )
        if not paused_for_others:
            await transition(session, chain_run_id, ChainRunStatus.RUNNING)
        await session.commit()
    return approved


@DBOS.step(name="luna.chains.stopped")
async def _stopped(chain_run_id: str) -> bool:
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        status = await session.scalar(select(ChainRun.status).where(ChainRun.id == chain_run_id))
    return status is None or status in CHAIN_RUN_FINISHED


@DBOS.step(name="luna.chains.settle")
async def _settle(chain_run_id: str, node_id: str, status: NodeStatus) -> None:
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        now = utcnow()
        await _mark_node(session, chain_run_id, node_id, status, finished_at=now)
        await record_event(
            session, chain_run_id, "node.skipped", node_id=node_id, reason="predecessor-failed"
        )
        await session.commit()


@DBOS.step(name="luna.chains.start_node")
async def _start_node(
    chain_run_id: str, node_id: str, agent_id: str, prompt: str, model: dict[str, Any] | None
) -> dict[str, Any]:
    """Store the node's run (queued) and link it; ``{"run_id": ...}``, or the reason it
    could not run (the node is then failed)."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        chain_run = await session.get(ChainRun, chain_run_id)
        if chain_run is None:
            return {"error": "missing"}
        started = await session.scalar(
            select(ChainRunNode.run_id).where(
                ChainRunNode.chain_run_id == chain_run_id, ChainRunNode.node_id == node_id
            )
        )
        if started is not None:  # this step ran before a crash; its run stands
            return {"run_id": started}
        now = utcnow()
        try:
            run = await create_node_run(
                session=session,
                workspace_id=chain_run.workspace_id,
                agent_id=agent_id,
                prompt=prompt,
                model=None if model is None else ModelChoice.model_validate(model),
                user_id=chain_run.created_by_user_id,
                api_key_id=chain_run.api_key_id,
                now=now,
                chain_run_id=chain_run.id,
                traceparent=chain_run.traceparent,
            )
        except LunaError as error:
            await session.rollback()
            await _mark_node(session, chain_run_id, node_id, NodeStatus.FAILED, finished_at=now)
            await record_event(
                session, chain_run_id, "node.failed", node_id=node_id, error=error.detail
            )
            await session.commit()
            log.info("chain node could not start", chain_run_id=chain_run_id, node=node_id)
            return {"error": error.detail}
        await _mark_node(
            session, chain_run_id, node_id, NodeStatus.RUNNING, run_id=run.id, started_at=now
        )
        await record_event(session, chain_run_id, "node.started", node_id=node_id, run_id=run.id)
        await session.commit()
        return {"run_id": run.id}


@DBOS.step(name="luna.chains.finish_node")
async def _finish_node(chain_run_id: str, node_id: str, run_id: str) -> dict[str, Any]:
    """Settle a node from its run: ``finished`` once the run has, ``ok`` when it
    succeeded, with its answer as ``text``."""
    return await _node_ended(chain_run_id, node_id, run_id)


@DBOS.step(name="luna.chains.race_look")
async def _race_look(chain_run_id: str, pending: dict[str, str]) -> dict[str, dict[str, Any]]:
    """The race's nodes whose runs have finished since the last look, settled, in the
    definition's order."""
    ended = {}
    for node_id, run_id in pending.items():
        result = await _node_ended(chain_run_id, node_id, run_id)
        if result["finished"]:
            ended[node_id] = result
    return ended


@DBOS.step(name="luna.chains.cancel_losers")
async def _cancel_losers(chain_run_id: str, losers: dict[str, str]) -> None:
    """Cancel the runs that lost a race; their nodes end cancelled."""
    runtime = current_runtime()
    now = utcnow()
    async with runtime.session_factory() as session:
        chain_run = await session.get(ChainRun, chain_run_id)
        for node_id, run_id in losers.items():
            if chain_run is not None:
                with contextlib.suppress(Conflict, NotFound):  # it finished meanwhile
                    await cancel_run(
                        session=session,
                        workspace_id=chain_run.workspace_id,
                        run_id=run_id,
                        now=now,
                        lease_seconds=runtime.settings.worker_lease_seconds,
                    )
            await runtime.bus.publish(run_id, {"type": "cancel"})
            await _mark_node(session, chain_run_id, node_id, NodeStatus.CANCELLED, finished_at=now)
            await record_event(
                session, chain_run_id, "node.skipped", node_id=node_id, reason="lost the race"
            )
        await session.commit()


@DBOS.step(name="luna.chains.skip")
async def _skip(chain_run_id: str, node_ids: list[str], reason: str) -> None:
    """Skip nodes that are no longer needed."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        now = utcnow()
        for node_id in node_ids:
            await _mark_node(session, chain_run_id, node_id, NodeStatus.SKIPPED, finished_at=now)
            await record_event(
                session, chain_run_id, "node.skipped", node_id=node_id, reason=reason
            )
        await session.commit()


@DBOS.step(name="luna.chains.decided")
async def _decided(chain_run_id: str, decision: dict[str, Any]) -> None:
    """Record how a swarm was settled (``swarm.decided``)."""
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        await record_event(session, chain_run_id, "swarm.decided", **decision)
        await session.commit()


async def _node_ended(chain_run_id: str, node_id: str, run_id: str) -> dict[str, Any]:
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        run = await session.get(Run, run_id)
        if run is None or run.status not in RUN_FINISHED:
            waiting = run is not None and run.status == RunStatus.WAITING_APPROVAL
            status = NodeStatus.AWAITING_APPROVAL if waiting else NodeStatus.RUNNING
            await _mark_node(session, chain_run_id, node_id, status)
            await session.commit()
            return {"finished": run is None, "ok": False, "text": ""}
        ok = run.status == RunStatus.SUCCEEDED
        status = {
            RunStatus.SUCCEEDED: NodeStatus.SUCCEEDED,
            RunStatus.CANCELLED: NodeStatus.CANCELLED,
        }.get(RunStatus(run.status), NodeStatus.FAILED)
        await _mark_node(session, chain_run_id, node_id, status, finished_at=run.finished_at)
        if ok:
            await record_event(
                session, chain_run_id, "node.completed", node_id=node_id, run_id=run.id
            )
        else:
            reason = (run.error or {}).get("message", f"The run {run.status}.")
            await record_event(
                session, chain_run_id, "node.failed", node_id=node_id, run_id=run.id, error=reason
            )
        await session.commit()
        return {"finished": True, "ok": ok, "text": answer_of(run) if ok else ""}


@DBOS.step(name="luna.chains.finish")
async def _finish_step(
    chain_run_id: str, output: dict[str, str], broken: list[str], failed_all: bool
) -> str:
    runtime = current_runtime()
    async with runtime.session_factory() as session:
        tokens_in, tokens_out, cost = await node_run_totals(session, chain_run_id)
        if not broken:
            status, error = ChainRunStatus.SUCCEEDED, None
        else:
            status = ChainRunStatus.FAILED if failed_all else ChainRunStatus.PARTIAL
            error = {
                "code": "nodes-failed",
                "message": "Some nodes did not finish: " + ", ".join(sorted(broken)) + ".",
            }
        moved = await transition(
            session,
            chain_run_id,
            status,
            output=output,
            error=error,
            finished_at=utcnow(),
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost_usd=cost,
        )
        if moved:
            await record_event(session, chain_run_id, "chain.completed", status=str(status))
        await session.commit()
        if not moved:
            current = await session.scalar(
                select(ChainRun.status).where(ChainRun.id == chain_run_id)
            )
            return str(current)
        return str(status)


async def _finish(
    chain_run_id: str, definition: ChainDefinition, outputs: dict[str, str], broken: set[str]
) -> str:
    followed = {edge.source for edge in definition.edges}
    sinks = [node.id for node in definition.nodes if node.id not in followed]
    if definition.strategy == "debate":  # the last answer, not the last review
        rounds = range(1, (definition.rounds or 0) + 1)
        sinks = [node_id for node_id in map(answer_node, rounds) if node_id in outputs][-1:]
    output = {node_id: outputs[node_id] for node_id in sinks if node_id in outputs}
    return await _finish_step(chain_run_id, output, sorted(broken), not outputs)


async def _mark_node(
    session: Any, chain_run_id: str, node_id: str, status: NodeStatus, **values: Any
) -> None:
    await session.execute(
        update(ChainRunNode)
        .where(ChainRunNode.chain_run_id == chain_run_id, ChainRunNode.node_id == node_id)
        .values(status=status, **values)
    )


def answer_of(run: Run) -> str:
    """A finished run's answer as text (a structured answer as its JSON)."""
    output = run.output or {}
    if isinstance(output.get("text"), str):
        return str(output["text"])
    return json.dumps(output.get("data", output), ensure_ascii=False)
