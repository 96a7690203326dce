/**
 * Lays out large run graphs off the main thread, so that the page stays responsive while
 * dagre works: it receives the nodes' ids and edges, and answers each node's position.
 */
import { layoutGraph, type LayoutRequest, type LayoutResponse } from "./graph-layout";

globalThis.addEventListener("message", (event: MessageEvent<LayoutRequest>) => {
  const { job, nodeIds, edges, direction } = event.data;
  const positions = layoutGraph(
    {
      nodes: nodeIds.map((id) => ({ id })),
      edges: edges.map(([source, target]) => ({ source, target })),
    },
    direction,
  );
  const response: LayoutResponse = {
    job,
    positions: [...positions].map(([id, point]) => [id, point.x, point.y]),
  };
  globalThis.postMessage(response);
});
