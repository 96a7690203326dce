import { describe, expect, it } from "vitest";

import {
  connect,
  definitionErrors,
  freshNodeId,
  nodeIdProblem,
  removeNode,
  renameNode,
  toDefinition,
  type Draft,
} from "./chain-draft";

const draft: Draft = {
  nodes: [
    { id: "review", agentId: "agt_1", prompt: "", approval: false, position: { x: 0, y: 0 } },
    {
      id: "docs",
      agentId: "agt_2",
      prompt: "Document {{node.review}}",
      approval: true,
      position: { x: 300.4, y: 40.6 },
    },
  ],
  edges: [{ source: "review", target: "docs" }],
};

describe("chain drafts", () => {
  it("names a new node after its agent, unused in the draft", () => {
    expect(freshNodeId("Code Review", new Set())).toBe("code-review");
    expect(freshNodeId("Code Review", new Set(["code-review"]))).toBe("code-review-2");
    expect(freshNodeId("365 Security!", new Set())).toBe("security");
    expect(freshNodeId("***", new Set())).toBe("node");
  });

  it("says why a node id cannot be used", () => {
    expect(nodeIdProblem("review-2", new Set())).toBeNull();
    expect(nodeIdProblem("Review", new Set())).toMatch(/Lower-case/);
    expect(nodeIdProblem("docs", new Set(["docs"]))).toBe("Another node has this id.");
  });

  it("connects two nodes once and never a node to itself", () => {
    const twice = connect(connect(draft, "docs", "review"), "docs", "review");
    expect(twice.edges).toHaveLength(2);
    expect(connect(draft, "review", "review")).toBe(draft);
  });

  it("renames a node in its edges and in the placeholders that name it", () => {
    const renamed = renameNode(draft, "review", "check");
    expect(renamed.nodes.map((node) => node.id)).toEqual(["check", "docs"]);
    expect(renamed.edges).toEqual([{ source: "check", target: "docs" }]);
    expect(renamed.nodes[1]?.prompt).toBe("Document {{node.check}}");
  });

  it("removes a node with its edges", () => {
    const removed = removeNode(draft, "review");
    expect(removed.nodes.map((node) => node.id)).toEqual(["docs"]);
    expect(removed.edges).toEqual([]);
  });

  it("saves the draft as a definition, keeping a swarm's strategy", () => {
    const definition = toDefinition(draft, {
      strategy: "vote",
      rounds: null,
      nodes: [],
      edges: [],
    });
    expect(definition.strategy).toBe("vote");
    expect(definition.nodes[0]).toEqual({
      id: "review",
      agent_id: "agt_1",
      prompt: null,
      approval: false,
      position: { x: 0, y: 0 },
    });
    expect(definition.nodes[1]?.position).toEqual({ x: 300, y: 41 });
    expect(toDefinition(draft).strategy).toBe("graph");
  });

  it("places a refused save's messages on their nodes and the rest on the graph", () => {
    const placed = definitionErrors([
      { pointer: "#/definition/nodes/1/prompt", message: "Unknown placeholder" },
      { pointer: "#/definition/nodes/1/agent_id", message: "Second message" },
      { pointer: "#/definition/edges", message: "The chain has a cycle: a → b → a." },
      { pointer: "#/name", message: "Taken" },
    ]);
    expect([...placed.byNode.entries()]).toEqual([[1, "Unknown placeholder"]]);
    expect(placed.graph).toEqual(["The chain has a cycle: a → b → a."]);
  });
});
