/**
 * A recorded run for the tests: a model request that thinks and calls two tools in
 * parallel, their results, a second request that answers, and the final answer, with the
 * edges the API computes for them.
 */
import type { Run, Step, StepEdge } from "./graph-model";

const START = Date.parse("2026-11-20T09:00:00.000Z");

function at(ms: number): string {
  return new Date(START + ms).toISOString();
}

function step(
  sequence: number,
  overrides: Partial<Step> & Pick<Step, "kind"> & { from: number; to: number | null },
): Step {
  const { from, to, ...rest } = overrides;
  return {
    id: `stp_${sequence}`,
    run_id: "run_1",
    sequence,
    status: "done",
    name: null,
    parent_step_id: null,
    content: {},
    started_at: at(from),
    ended_at: to === null ? null : at(to),
    latency_ms: to === null ? null : to - from,
    tokens_in: 0,
    tokens_out: 0,
    cost_usd: "0",
    confidence: null,
    ...rest,
  };
}

export const recordedSteps: Step[] = [
  step(1, {
    kind: "model_request",
    name: "gpt-test",
    from: 0,
    to: 1000,
    tokens_in: 120,
    tokens_out: 40,
    cost_usd: "0.00120000",
    confidence: 0.92,
    content: {
      request: [{ part_kind: "user-prompt", content: "Review PR 42" }],
      finish_reason: "tool_call",
      model: "gpt-test",
    },
  }),
  step(2, {
    kind: "thinking",
    parent_step_id: "stp_1",
    from: 0,
    to: 1000,
    content: { text: "Look at the diff, then the tests." },
  }),
  step(3, {
    kind: "tool_call",
    name: "search",
    parent_step_id: "stp_1",
    from: 0,
    to: 1000,
    content: { tool_call_id: "call_a", arguments: { query: "pull 42", limit: 5 } },
  }),
  step(4, {
    kind: "tool_call",
    name: "fetch",
    parent_step_id: "stp_1",
    from: 0,
    to: 1000,
    content: { tool_call_id: "call_b", arguments: { url: "https://example.test/42.diff" } },
  }),
  step(5, {
    kind: "tool_result",
    name: "search",
    parent_step_id: "stp_3",
    from: 1000,
    to: 1400,
    content: { tool_call_id: "call_a", result: { hits: 3 } },
  }),
  step(6, {
    kind: "tool_result",
    name: "fetch",
    parent_step_id: "stp_4",
    status: "error",
    from: 1000,
    to: 1600,
    content: { tool_call_id: "call_b", error: "Connection refused" },
  }),
  step(7, {
    kind: "model_request",
    name: "gpt-test",
    parent_step_id: "stp_1",
    from: 1600,
    to: 2400,
    tokens_in: 300,
    tokens_out: 80,
    cost_usd: "0.00310000",
    content: { request: [{ part_kind: "tool-return", content: { hits: 3 } }], model: "gpt-test" },
  }),
  step(8, {
    kind: "text",
    parent_step_id: "stp_7",
    from: 1600,
    to: 2400,
    content: { text: "Looks good." },
  }),
  step(9, { kind: "final", from: 2400, to: null, content: { text: "Looks good." } }),
];

function edge(source: number, target: number, kind: StepEdge["kind"]): StepEdge {
  return {
    id: `stp_${source}-stp_${target}`,
    source: `stp_${source}`,
    target: `stp_${target}`,
    kind,
  };
}

/** The edges `GET .../graph` answers for `recordedSteps`. */
export const recordedEdges: StepEdge[] = [
  edge(1, 2, "parent"),
  edge(1, 3, "parent"),
  edge(1, 4, "parent"),
  edge(3, 5, "parent"),
  edge(4, 6, "parent"),
  edge(1, 7, "parent"),
  edge(7, 8, "parent"),
  edge(5, 7, "next"),
  edge(6, 7, "next"),
  edge(7, 9, "next"),
];

export function recordedRun(overrides: Partial<Run> = {}): Run {
  return {
    id: "run_1",
    workspace_id: "ws_1",
    agent_id: "agt_1",
    agent_version_id: "agv_1",
    parent_run_id: null,
    thread_id: null,
    draft: false,
    status: "succeeded",
    input: "Review PR 42",
    output: { text: "Looks good." },
    error: null,
    model: "gpt-test",
    provider_id: null,
    step_count: 9,
    tokens_in: 420,
    tokens_out: 120,
    cost_usd: "0.00430000",
    latency_ms: 2400,
    cancel_requested_at: null,
    created_at: at(-500),
    started_at: at(0),
    finished_at: at(2400),
    ...overrides,
  };
}

/** One of `recordedSteps`, by its sequence. */
export function recordedStep(sequence: number): Step {
  const found = recordedSteps.find((step) => step.sequence === sequence);
  if (!found) {
    throw new Error(`The recorded run has no step ${sequence}.`);
  }
  return found;
}

/**
 * A long run: `requests` model requests, each calling one tool whose result the next
 * request reads, one second per request and half a second per tool.
 */
export function longRunSteps(requests: number): Step[] {
  const steps: Step[] = [];
  for (let index = 0; index < requests; index += 1) {
    const from = index * 1500;
    const sequence = steps.length + 1;
    const previous = index === 0 ? null : `stp_${sequence - 4}`;
    steps.push(
      step(sequence, {
        kind: "model_request",
        name: "gpt-test",
        parent_step_id: previous,
        from,
        to: from + 1000,
        tokens_in: 100 + index,
        tokens_out: 10,
        cost_usd: "0.00010000",
      }),
      step(sequence + 1, {
        kind: "text",
        parent_step_id: `stp_${sequence}`,
        from,
        to: from + 1000,
        content: { text: `Thought ${index}` },
      }),
      step(sequence + 2, {
        kind: "tool_call",
        name: "search",
        parent_step_id: `stp_${sequence}`,
        from,
        to: from + 1000,
        content: { tool_call_id: `call_${index}`, arguments: { page: index } },
      }),
      step(sequence + 3, {
        kind: "tool_result",
        name: "search",
        parent_step_id: `stp_${sequence + 2}`,
        from: from + 1000,
        to: from + 1500,
        content: { tool_call_id: `call_${index}`, result: { page: index } },
      }),
    );
  }
  return steps;
}

/**
 * A fan-out: a model request that calls `text_stats` `calls` times and `search` once, all
 * at once; their results (those of the calls numbered in `failing`, from 0, are errors),
 * a second request that reads them, and the final answer. The last result took
 * `calls * 10` ms.
 */
export function fanOutSteps(calls: number, failing: readonly number[] = []): Step[] {
  const results = calls + 2;
  const second = 2 * calls + 4;
  const end = 1000 + calls * 10;
  const steps: Step[] = [
    step(1, { kind: "model_request", name: "gpt-test", from: 0, to: 1000, tokens_in: 50 }),
  ];
  for (let index = 0; index < calls; index += 1) {
    steps.push(
      step(2 + index, {
        kind: "tool_call",
        name: "text_stats",
        parent_step_id: "stp_1",
        from: 0,
        to: 1000,
        content: { tool_call_id: `call_${index}`, arguments: { text: `line ${index}` } },
      }),
    );
  }
  steps.push(
    step(calls + 2, {
      kind: "tool_call",
      name: "search",
      parent_step_id: "stp_1",
      from: 0,
      to: 1000,
    }),
  );
  for (let index = 0; index < calls; index += 1) {
    steps.push(
      step(results + 1 + index, {
        kind: "tool_result",
        name: "text_stats",
        parent_step_id: `stp_${2 + index}`,
        status: failing.includes(index) ? "error" : "done",
        from: 1000,
        to: 1000 + (index + 1) * 10,
        content: { tool_call_id: `call_${index}`, result: { words: 2 } },
      }),
    );
  }
  steps.push(
    step(second - 1, {
      kind: "tool_result",
      name: "search",
      parent_step_id: `stp_${calls + 2}`,
      from: 1000,
      to: 1005,
    }),
    step(second, {
      kind: "model_request",
      name: "gpt-test",
      parent_step_id: "stp_1",
      from: end,
      to: end + 500,
      tokens_in: 400,
      tokens_out: 20,
    }),
    step(second + 1, { kind: "final", from: end + 500, to: null, content: { text: "Done." } }),
  );
  return steps;
}

/**
 * An approved run as the API records it: a request calls a tool that waits for approval,
 * a member approves, the tool answers, and a second request reads its result.
 */
export function approvedRunSteps(): Step[] {
  return [
    step(1, { kind: "model_request", from: 0, to: 1500 }),
    step(2, {
      kind: "tool_call",
      name: "calculator",
      parent_step_id: "stp_1",
      from: 1500,
      to: 1500,
    }),
    step(3, { kind: "approval", status: "pending", parent_step_id: "stp_2", from: 1600, to: null }),
    step(4, { kind: "approval", parent_step_id: "stp_3", from: 9000, to: null }),
    step(5, { kind: "tool_result", parent_step_id: "stp_4", from: 9100, to: 9101 }),
    step(6, { kind: "model_request", parent_step_id: "stp_1", from: 9200, to: 10_000 }),
    step(7, { kind: "final", from: 10_000, to: null }),
  ];
}
