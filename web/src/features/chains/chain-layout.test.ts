import { describe, expect, it } from "vitest";

import { CHAIN_NODE_WIDTH, layoutChain } from "./chain-layout";
import type { ChainDefinition } from "./hooks";

function chain(edges: [string, string][], extra: string[] = []): ChainDefinition {
  const ids = [...new Set([...edges.flat(), ...extra])];
  return {
    nodes: ids.map((id) => ({ id, agent_id: `agt_${id}` })),
    edges: edges.map(([source, target]) => ({ source, target })),
  } as ChainDefinition;
}

describe("layoutChain", () => {
  it("puts each node one column after its furthest predecessor", () => {
    const placed = layoutChain(
      chain([
        ["a", "b"],
        ["a", "c"],
        ["b", "d"],
        ["c", "d"],
        ["a", "d"],
      ]),
    );
    const column = Object.fromEntries(placed.map((p) => [p.id, p.x / (CHAIN_NODE_WIDTH + 90)]));
    expect(column).toEqual({ a: 0, b: 1, c: 1, d: 2 });
    const b = placed.find((p) => p.id === "b");
    const c = placed.find((p) => p.id === "c");
    expect(b?.y).not.toEqual(c?.y);
  });

  it("keeps a position saved with the chain", () => {
    const definition = chain([["a", "b"]]);
    definition.nodes[1] = { ...definition.nodes[1], position: { x: 5, y: 7 } } as never;
    expect(layoutChain(definition).find((p) => p.id === "b")).toEqual({ id: "b", x: 5, y: 7 });
  });
});
