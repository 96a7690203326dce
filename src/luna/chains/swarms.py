"""Swarms: one input put to several agents at once, with a strategy to settle it.

A swarm is a chain whose definition names a strategy other than ``graph``; it runs with
the chain machinery (the same runs, events and graph), and the strategy changes only how
its nodes are settled:

- **race**: two to five agents answer at once; the first to succeed wins, and the others
  are cancelled (what they spent still counts);
- **vote**: two to five candidates answer at once, then a judge agent compares their
  answers and picks or merges one; the judge is a run like any other, so its reasoning is
  in its steps, and its answer is the swarm's;
- **debate**: a generator answers and a critic reviews, for up to five rounds; the
  generator revises after each review, and the debate stops early when the critic
  accepts (its review starts with ``ACCEPT``).

:func:`swarm_definition` writes a swarm's graph from its members; :func:`strategy_errors`
checks that a definition has the shape its strategy needs.
"""

from __future__ import annotations

from typing import Any, Final, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from luna.agents.catalog import Slug
from luna.agents.definition import ModelChoice
from luna.agents.schemas import AgentName, Description
from luna.chains.definition import (
    ROOT_PROMPT,
    AgentRef,
    ChainDefinition,
    ChainEdge,
    ChainNode,
)
from luna.schemas import RequestModel

Strategy = Literal["race", "vote", "debate"]
SWARM_STRATEGIES: Final = ("race", "vote", "debate")
MIN_MEMBERS: Final = 2
MAX_MEMBERS: Final = 5
MAX_ROUNDS: Final = 5
DEFAULT_ROUNDS: Final = 3
ACCEPT: Final = "ACCEPT"
JUDGE: Final = "judge"

JUDGE_PROMPT: Final = (
    "The request:\n\n{{input}}\n\nSeveral agents answered it, each under its own heading:"
    "\n\n{{prev}}\n\nCompare the answers: say which is best and why, or merge their best "
    "parts into one. End with the final answer, complete, under the heading '## Verdict'."
)
CRITIC_PROMPT: Final = (
    "The request:\n\n{{input}}\n\nAn answer to review:\n\n{{prev}}\n\nIf the answer is "
    f"good as it is, begin your reply with {ACCEPT} and say why. Otherwise list, precisely, "
    "what must change."
)
REVISE_PROMPT: Final = (
    "The request:\n\n{{{{input}}}}\n\nYour previous answer:\n\n{{{{node.{answer}}}}}\n\n"
    "A critic's review of it:\n\n{{{{node.{review}}}}}\n\nWrite a better answer that "
    "addresses the review."
)


class SwarmMember(RequestModel):
    """An agent of the swarm: one of the workspace, or a catalog agent it gets."""

    model_config = ConfigDict(extra="forbid")

    agent_id: AgentRef | None = None
    template: Slug | None = None
    model: ModelChoice | None = Field(None, description="Another model than the agent's own.")

    @model_validator(mode="after")
    def _one_agent(self) -> Self:
        if (self.agent_id is None) == (self.template is None):
            raise ValueError("give the member an agent_id or a template, not both")
        return self

    def node(self, node_id: str, prompt: str) -> ChainNode:
        return ChainNode(
            id=node_id,
            agent_id=self.agent_id,
            template=self.template,
            model=self.model,
            prompt=prompt,
        )


class SwarmSpec(RequestModel):
    """Who is in a swarm and how it settles: ``members`` for race and vote (two to
    five), a ``judge`` for vote, a ``generator``, a ``critic`` and ``rounds`` for
    debate."""

    model_config = ConfigDict(extra="forbid")

    strategy: Strategy
    members: list[SwarmMember] = Field(default_factory=list, max_length=MAX_MEMBERS)
    judge: SwarmMember | None = None
    generator: SwarmMember | None = None
    critic: SwarmMember | None = None
    rounds: int | None = Field(
        None, ge=1, le=MAX_ROUNDS, description="A debate's most rounds (3 when absent)."
    )

    @model_validator(mode="after")
    def _members_fit(self) -> Self:
        if self.strategy == "debate":
            if self.generator is None or self.critic is None or self.members or self.judge:
                raise ValueError("a debate has a generator and a critic, and no members")
            return self
        if self.rounds is not None:
            raise ValueError("only a debate has rounds")
        if not MIN_MEMBERS <= len(self.members) <= MAX_MEMBERS:
            raise ValueError(f"a {self.strategy} has {MIN_MEMBERS} to {MAX_MEMBERS} members")
        if (self.strategy == "vote") != (self.judge is not None):
            raise ValueError("a vote has a judge; a race has none")
        if self.generator is not None or self.critic is not None:
            raise ValueError("only a debate has a generator and a critic")
        return self


class SwarmCreate(SwarmSpec):
    """A new swarm: a chain of the workspace whose members answer at once."""

    name: AgentName
    description: Description | None = None


def swarm_definition(spec: SwarmSpec) -> ChainDefinition:
    """The swarm as a chain's graph, its strategy named."""
    if spec.generator is not None and spec.critic is not None:  # a debate (validated)
        return _debate(spec.generator, spec.critic, spec.rounds or DEFAULT_ROUNDS)
    nodes = [
        member.node(f"agent-{index}", ROOT_PROMPT) for index, member in enumerate(spec.members, 1)
    ]
    edges: list[ChainEdge] = []
    if spec.judge is not None:  # a vote (validated)
        edges = [ChainEdge(source=node.id, target=JUDGE) for node in nodes]
        nodes.append(spec.judge.node(JUDGE, JUDGE_PROMPT))
    return ChainDefinition(strategy=spec.strategy, nodes=nodes, edges=edges)


def answer_node(round_number: int) -> str:
    return f"answer-{round_number}"


def review_node(round_number: int) -> str:
    return f"review-{round_number}"


def _debate(generator: SwarmMember, critic: SwarmMember, rounds: int) -> ChainDefinition:
    nodes: list[ChainNode] = []
    edges: list[ChainEdge] = []
    for number in range(1, rounds + 1):
        answer, review = answer_node(number), review_node(number)
        if number == 1:
            prompt = ROOT_PROMPT
        else:
            before = (answer_node(number - 1), review_node(number - 1))
            prompt = REVISE_PROMPT.format(answer=before[0], review=before[1])
            edges.append(ChainEdge(source=before[1], target=answer))
        nodes += [generator.node(answer, prompt), critic.node(review, CRITIC_PROMPT)]
        edges.append(ChainEdge(source=answer, target=review))
    return ChainDefinition(strategy="debate", nodes=nodes, edges=edges, rounds=rounds)


def accepted(review: str) -> bool:
    """Whether a critic's review accepts the answer."""
    return review.lstrip(" \t\n*#>_").upper().startswith(ACCEPT)


def strategy_errors(definition: ChainDefinition, *, at: str) -> list[dict[str, Any]]:
    """The rules of its strategy's shape the definition breaks (none for a graph)."""
    strategy = definition.strategy
    if strategy == "graph":
        return []
    problem = None
    count = len(definition.nodes)
    approvals = any(node.approval for node in definition.nodes)
    if approvals:
        problem = "A swarm's members do not pause for approval."
    elif strategy == "race" and (definition.edges or not MIN_MEMBERS <= count <= MAX_MEMBERS):
        problem = f"A race has {MIN_MEMBERS} to {MAX_MEMBERS} nodes and no edges."
    elif strategy == "vote" and not _is_vote(definition):
        problem = (
            f"A vote has {MIN_MEMBERS} to {MAX_MEMBERS} candidates, each feeding one judge "
            f"node ({JUDGE!r})."
        )
    elif strategy == "debate":
        problem = _debate_problem(definition)
    return [{"in": "body", "pointer": at, "message": problem}] if problem else []


def _is_vote(definition: ChainDefinition) -> bool:
    ids = {node.id for node in definition.nodes}
    candidates = ids - {JUDGE}
    edges = {(edge.source, edge.target) for edge in definition.edges}
    return (
        JUDGE in ids
        and MIN_MEMBERS <= len(candidates) <= MAX_MEMBERS
        and edges == {(candidate, JUDGE) for candidate in candidates}
    )


def _debate_problem(definition: ChainDefinition) -> str | None:
    rounds = definition.rounds or 0
    if not 1 <= rounds <= MAX_ROUNDS:
        return f"A debate has 1 to {MAX_ROUNDS} rounds."
    expected = {answer_node(n) for n in range(1, rounds + 1)} | {
        review_node(n) for n in range(1, rounds + 1)
    }
    if {node.id for node in definition.nodes} != expected:
        return "A debate's nodes are answer-1, review-1, answer-2, ... for each round."
    edges = {(edge.source, edge.target) for edge in definition.edges}
    wanted = {(answer_node(n), review_node(n)) for n in range(1, rounds + 1)} | {
        (review_node(n), answer_node(n + 1)) for n in range(1, rounds)
    }
    if edges != wanted:
        return "A debate's rounds follow each other: answer, review, answer, review, ..."
    return None
