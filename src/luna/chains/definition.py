"""What a chain is: nodes (each an agent of the workspace, with an optional prompt
template, model and approval pause) and the edges between them.

The shape is checked by Pydantic; :func:`graph_errors` checks the graph itself (unique
node ids, edges between existing nodes, no cycle, placeholders that name a node whose
output is ready) and :func:`execution_order` orders it with the standard library's
:mod:`graphlib`. A prompt template may use ``{{input}}`` (the chain's input), ``{{prev}}``
(the outputs of the node's direct predecessors) and ``{{node.<id>}}`` (the output of an
earlier node); a node without one receives the input at a root and its predecessors'
outputs elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from graphlib import CycleError, TopologicalSorter
from typing import Annotated, Any, Final, Literal, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from luna.agents.catalog import Slug
from luna.agents.definition import ModelChoice
from luna.schemas import RequestModel

MAX_NODES: Final = 20
MAX_PROMPT: Final = 20_000
NODE_ID_PATTERN: Final = r"^[a-z][a-z0-9_-]{0,39}$"
PLACEHOLDER: Final = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
NODE_PLACEHOLDER: Final = re.compile(r"^node\.([a-z][a-z0-9_-]{0,39})$")
ROOT_PROMPT: Final = "{{input}}"
NEXT_PROMPT: Final = "{{prev}}"

NodeId = Annotated[str, StringConstraints(pattern=NODE_ID_PATTERN)]
AgentRef = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class Position(RequestModel):
    """Where the node sits on the editor's canvas (layout only; it changes nothing)."""

    model_config = ConfigDict(extra="forbid")

    x: float = Field(ge=-1_000_000, le=1_000_000)
    y: float = Field(ge=-1_000_000, le=1_000_000)


class ChainNode(RequestModel):
    """One step of a chain: an agent of the workspace and what it is asked."""

    model_config = ConfigDict(extra="forbid")

    id: NodeId = Field(description="Unique in the chain; lower case, e.g. `review`.")
    agent_id: AgentRef | None = Field(
        None, description="The workspace's agent that runs this node."
    )
    template: Slug | None = Field(
        None,
        description="Instead of `agent_id`: a catalog agent, which the workspace gets (or "
        "reuses) when the chain is saved.",
    )
    prompt: Annotated[str, StringConstraints(max_length=MAX_PROMPT)] | None = Field(
        None,
        description="What the agent is asked; `{{input}}`, `{{prev}}` and `{{node.<id>}}` "
        "are replaced. Absent: the input at a root, the predecessors' outputs elsewhere.",
    )
    model: ModelChoice | None = Field(
        None, description="Run this node on another model than the agent's own."
    )
    approval: bool = Field(False, description="Pause for a person's approval before it runs.")
    position: Position | None = None

    @model_validator(mode="after")
    def _one_agent(self) -> Self:
        if (self.agent_id is None) == (self.template is None):
            raise ValueError("give the node an agent_id or a template, not both")
        return self


class ChainEdge(RequestModel):
    """``source``'s output feeds ``target``, which waits for it."""

    model_config = ConfigDict(extra="forbid")

    source: NodeId
    target: NodeId


class ChainDefinition(RequestModel):
    """A chain's graph: at least one node, at most twenty, and no cycle. A swarm is a
    chain with another ``strategy`` (see :mod:`luna.chains.swarms`)."""

    model_config = ConfigDict(extra="forbid")

    strategy: Literal["graph", "race", "vote", "debate"] = Field(
        "graph",
        description="`graph`: a chain; `race`, `vote`, `debate`: a swarm settled that way.",
    )
    rounds: int | None = Field(None, ge=1, le=5, description="A debate's most rounds.")
    nodes: list[ChainNode] = Field(min_length=1, max_length=MAX_NODES)
    edges: list[ChainEdge] = Field(default_factory=list, max_length=MAX_NODES * MAX_NODES)

    def predecessors(self) -> dict[str, list[str]]:
        """Each node's direct predecessors, in the order the edges list them."""
        found: dict[str, list[str]] = {node.id: [] for node in self.nodes}
        for edge in self.edges:
            if edge.source not in found[edge.target]:
                found[edge.target].append(edge.source)
        return found

    def node(self, node_id: str) -> ChainNode:
        return next(node for node in self.nodes if node.id == node_id)


def graph_errors(definition: ChainDefinition, *, at: str = "#/definition") -> list[dict[str, Any]]:
    """Every rule of the graph the definition breaks, each with its JSON pointer; empty
    when it is a valid chain. A cycle's message names the nodes on it, in order."""
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, node in enumerate(definition.nodes):
        if node.id in seen:
            errors.append(_error(f"{at}/nodes/{index}/id", f"Node id {node.id!r} is used twice."))
        seen.add(node.id)
    pairs: set[tuple[str, str]] = set()
    for index, edge in enumerate(definition.edges):
        where = f"{at}/edges/{index}"
        for end in ("source", "target"):
            if getattr(edge, end) not in seen:
                errors.append(_error(f"{where}/{end}", f"No node {getattr(edge, end)!r}."))
        if edge.source == edge.target:
            errors.append(_error(where, f"Node {edge.source!r} cannot feed itself."))
        elif (edge.source, edge.target) in pairs:
            errors.append(_error(where, f"The edge {edge.source} → {edge.target} is listed twice."))
        pairs.add((edge.source, edge.target))
    if errors:
        return errors
    cycle = find_cycle(definition.predecessors())
    if cycle:
        return [_error(f"{at}/edges", "The chain has a cycle: " + " → ".join(cycle) + ".")]
    return _placeholder_errors(definition, at)


def find_cycle(predecessors: Mapping[str, Iterable[str]]) -> list[str]:
    """A cycle of the graph as the nodes along it, the first repeated at the end; empty
    when there is none."""
    try:
        TopologicalSorter(predecessors).prepare()
    except CycleError as error:
        # graphlib lists the cycle so that each node is a predecessor of the next: along
        # the edges, from a node back to itself.
        return list(error.args[1])
    return []


def execution_order(definition: ChainDefinition) -> list[str]:
    """The node ids in an order where every node comes after its predecessors."""
    return list(TopologicalSorter(definition.predecessors()).static_order())


def ancestors(definition: ChainDefinition) -> dict[str, set[str]]:
    """Each node's ancestors: the nodes whose output is ready before it runs."""
    predecessors = definition.predecessors()
    found: dict[str, set[str]] = {}
    for node_id in execution_order(definition):
        found[node_id] = set()
        for before in predecessors[node_id]:
            found[node_id] |= {before} | found[before]
    return found


def render_prompt(
    node: ChainNode, *, chain_input: str, predecessors: list[str], outputs: Mapping[str, str]
) -> str:
    """The node's prompt with its placeholders replaced by the chain's input and the
    outputs of the nodes before it."""
    template = node.prompt or (NEXT_PROMPT if predecessors else ROOT_PROMPT)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "input":
            return chain_input
        if name == "prev":
            return _joined(predecessors, outputs)
        named = NODE_PLACEHOLDER.match(name)
        return outputs.get(named.group(1), "") if named else match.group(0)

    return PLACEHOLDER.sub(value, template)


def _joined(node_ids: list[str], outputs: Mapping[str, str]) -> str:
    if len(node_ids) == 1:
        return outputs.get(node_ids[0], "")
    return "\n\n".join(f"## {node_id}\n\n{outputs.get(node_id, '')}" for node_id in node_ids)


def _placeholder_errors(definition: ChainDefinition, at: str) -> list[dict[str, Any]]:
    errors = []
    before = ancestors(definition)
    for index, node in enumerate(definition.nodes):
        for match in PLACEHOLDER.finditer(node.prompt or ""):
            name = match.group(1)
            if name in ("input", "prev"):
                continue
            named = NODE_PLACEHOLDER.match(name)
            where = f"{at}/nodes/{index}/prompt"
            if named is None:
                message = f"Unknown placeholder {{{{{name}}}}}: use input, prev or node.<id>."
                errors.append(_error(where, message))
            elif named.group(1) not in before[node.id]:
                message = (
                    f"{{{{{name}}}}} names a node that does not run before {node.id!r}: "
                    "connect it first."
                )
                errors.append(_error(where, message))
    return errors


def _error(pointer: str, message: str) -> dict[str, Any]:
    return {"in": "body", "pointer": pointer, "message": message}
