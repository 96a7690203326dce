"""A chain's graph: the rules it must keep, its order, its prompts, and the presets."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pydantic import ValidationError

from luna.agents.catalog import load_catalog
from luna.chains.definition import (
    ChainDefinition,
    ChainNode,
    ancestors,
    execution_order,
    find_cycle,
    graph_errors,
    render_prompt,
)
from luna.chains.presets import PRESETS


def chain(
    edges: list[tuple[str, str]], nodes: list[str] | None = None, **prompts: str
) -> ChainDefinition:
    ids = nodes or sorted({end for edge in edges for end in edge})
    return ChainDefinition.model_validate(
        {
            "nodes": [{"id": i, "agent_id": f"agt_{i}", "prompt": prompts.get(i)} for i in ids],
            "edges": [{"source": s, "target": t} for s, t in edges],
        }
    )


def messages(errors: list[dict[str, Any]]) -> list[str]:
    return [error["message"] for error in errors]


def test_a_cycle_is_named_along_its_edges() -> None:
    looped = chain([("start", "a"), ("a", "b"), ("b", "c"), ("c", "a")])
    [error] = graph_errors(looped)
    assert error["pointer"] == "#/definition/edges"
    cycle = error["message"].removeprefix("The chain has a cycle: ").rstrip(".").split(" → ")
    assert cycle[0] == cycle[-1]
    assert set(cycle) == {"a", "b", "c"}
    # Each step of the named cycle is an edge of the chain.
    edges = {(edge.source, edge.target) for edge in looped.edges}
    assert all(pair in edges for pair in itertools.pairwise(cycle))
    assert find_cycle({"a": [], "b": ["a"]}) == []


def test_every_broken_rule_is_reported_with_its_place() -> None:
    broken = ChainDefinition.model_validate(
        {
            "nodes": [
                {"id": "a", "agent_id": "agt_1"},
                {"id": "a", "agent_id": "agt_2"},
                {"id": "b", "agent_id": "agt_3"},
            ],
            "edges": [
                {"source": "a", "target": "ghost"},
                {"source": "b", "target": "b"},
                {"source": "a", "target": "b"},
                {"source": "a", "target": "b"},
            ],
        }
    )
    assert {(e["pointer"], e["message"]) for e in graph_errors(broken)} == {
        ("#/definition/nodes/1/id", "Node id 'a' is used twice."),
        ("#/definition/edges/0/target", "No node 'ghost'."),
        ("#/definition/edges/1", "Node 'b' cannot feed itself."),
        ("#/definition/edges/3", "The edge a → b is listed twice."),
    }


def test_placeholders_name_only_nodes_that_run_before() -> None:
    diamond = chain(
        [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")],
        d="{{ node.a }} and {{node.b}} with {{input}} and {{prev}}",
        b="{{node.c}}",
        c="{{ nothing }}",
    )
    assert messages(graph_errors(diamond)) == [
        "{{node.c}} names a node that does not run before 'b': connect it first.",
        "Unknown placeholder {{nothing}}: use input, prev or node.<id>.",
    ]
    assert ancestors(diamond)["d"] == {"a", "b", "c"}


def test_shape_limits_are_the_schemas() -> None:
    with pytest.raises(ValidationError, match="at least 1 item"):
        ChainDefinition.model_validate({"nodes": [], "edges": []})
    with pytest.raises(ValidationError, match="at most 20 items"):
        chain([], nodes=[f"n{i}" for i in range(21)])
    with pytest.raises(ValidationError, match="an agent_id or a template"):
        ChainNode.model_validate({"id": "a", "agent_id": "agt_1", "template": "code-review"})
    with pytest.raises(ValidationError, match="should match pattern"):
        ChainNode.model_validate({"id": "Not An Id", "agent_id": "agt_1"})


def test_the_order_puts_every_node_after_its_predecessors() -> None:
    diamond = chain([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])
    order = execution_order(diamond)
    for edge in diamond.edges:
        assert order.index(edge.source) < order.index(edge.target)


def test_prompts_take_the_input_and_the_outputs_before() -> None:
    diamond = chain([("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")], c="Check {{node.a}}!")
    outputs = {"a": "A's plan", "b": "B's code", "c": "C's tests"}

    def prompt(node_id: str) -> str:
        predecessors = diamond.predecessors()[node_id]
        return render_prompt(
            diamond.node(node_id),
            chain_input="Build it",
            predecessors=predecessors,
            outputs=outputs,
        )

    assert prompt("a") == "Build it"
    assert prompt("b") == "A's plan"
    assert prompt("c") == "Check A's plan!"
    assert prompt("d") == "## b\n\nB's code\n\n## c\n\nC's tests"


def test_the_five_presets_are_valid_lines_of_catalog_agents() -> None:
    catalog = load_catalog()
    lines = {
        slug: [node.template for node in preset.definition().nodes]
        for slug, preset in PRESETS.items()
    }
    assert lines == {
        "full-review": ["code-review", "testing-validation", "documentation"],
        "new-feature": [
            "requirements-analyzer",
            "design-architect",
            "task-planner",
            "task-executor",
        ],
        "deploy": ["code-review", "testing-validation", "deployment"],
        "security-audit": ["365-security", "code-review"],
        "api-design": ["api-generator", "database", "documentation"],
    }
    for preset in PRESETS.values():
        definition = preset.definition()
        assert graph_errors(definition) == []
        assert all(node.template in catalog for node in definition.nodes)
        order = execution_order(definition)
        assert order == [node.id for node in definition.nodes]
