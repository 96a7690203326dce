import { useMemo } from "react";

import type { StepGraph } from "../runs/run-detail/graph-model";
import { RunView } from "../runs/run-detail/RunView";
import type { SharedRunGraphResponse } from "./hooks";

/**
 * A shared run, read-only: the run page's view fed by the public graph. A shared run has
 * finished, so there is nothing live to follow and nothing to decide.
 */
export function SharedRunView({ response }: { response: SharedRunGraphResponse }) {
  const { run } = response;
  const graph = useMemo<StepGraph>(
    () => ({ steps: response.nodes, edges: response.edges }),
    [response.nodes, response.edges],
  );
  return <RunView run={run} graph={graph} agentName={run.agent_name} stream="idle" />;
}
