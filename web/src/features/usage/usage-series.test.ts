import { describe, expect, it } from "vitest";

import type { UsageReport, UsageRow } from "./hooks";
import { dailySeries, daysOf, describeChart, foldSmallGroups, groupSeries } from "./usage-series";

function row(overrides: Partial<UsageRow> & Pick<UsageRow, "key">): UsageRow {
  return {
    name: null,
    runs: 1,
    tokens_in: 100,
    tokens_out: 20,
    cost_usd: "0.00100000",
    ...overrides,
  };
}

function report(overrides: Partial<UsageReport>): UsageReport {
  return {
    from: "2026-11-18",
    to: "2026-11-22",
    group_by: "day",
    rows: [],
    totals: { runs: 0, tokens_in: 0, tokens_out: 0, cost_usd: "0.00000000" },
    saved: { runs: 0, tokens_in: 0, tokens_out: 0, cost_usd: "0.00000000" },
    ...overrides,
  };
}

describe("dailySeries", () => {
  it("gives every day of the range a point, days without runs as zeros", () => {
    const points = dailySeries(
      report({
        rows: [
          row({
            key: "2026-11-19",
            runs: 3,
            tokens_in: 1200,
            tokens_out: 350,
            cost_usd: "0.01230000",
          }),
          row({ key: "2026-11-21", runs: 1, tokens_in: 10, tokens_out: 5, cost_usd: "0.50000000" }),
        ],
      }),
    );
    expect(points.map((point) => [point.day, point.runs, point.costUsd])).toEqual([
      ["2026-11-18", 0, 0],
      ["2026-11-19", 3, 0.0123],
      ["2026-11-20", 0, 0],
      ["2026-11-21", 1, 0.5],
      ["2026-11-22", 0, 0],
    ]);
    expect(points[1]).toMatchObject({ tokensIn: 1200, tokensOut: 350, label: "Nov 19" });
    expect(points[0]).toMatchObject({ tokensIn: 0, tokensOut: 0 });
  });

  it("counts UTC days across month ends and clock changes", () => {
    expect(daysOf("2026-10-30", "2026-11-02")).toEqual([
      "2026-10-30",
      "2026-10-31",
      "2026-11-01",
      "2026-11-02",
    ]);
    expect(daysOf("2026-03-28", "2026-03-30")).toHaveLength(3);
    expect(daysOf("2026-11-02", "2026-11-02")).toEqual(["2026-11-02"]);
  });
});

describe("groupSeries", () => {
  it("puts the costliest first, then the busiest, and names every group", () => {
    const points = groupSeries(
      report({
        group_by: "model",
        rows: [
          row({ key: "gpt-4.1-mini", runs: 9, cost_usd: "0.02000000" }),
          row({ key: "claude-sonnet-4-6", runs: 2, cost_usd: "0.40000000" }),
          row({ key: "unknown", runs: 4, cost_usd: "0.02000000" }),
          row({ key: "llama3.2", runs: 7, cost_usd: "0.00000000" }),
        ],
      }),
    );
    expect(points.map((point) => point.label)).toEqual([
      "claude-sonnet-4-6",
      "gpt-4.1-mini",
      "Unknown model",
      "llama3.2",
    ]);
  });

  it("names agents by their name, keeping the id as the key", () => {
    const [point] = groupSeries(
      report({ group_by: "agent", rows: [row({ key: "agt_1", name: "Code reviewer" })] }),
    );
    expect(point).toMatchObject({ key: "agt_1", label: "Code reviewer", runs: 1 });
  });

  it("folds the smallest groups into one bar for the charts", () => {
    const points = groupSeries(
      report({
        group_by: "agent",
        rows: Array.from({ length: 12 }, (_, index) =>
          row({ key: `agt_${index}`, name: `Agent ${index}`, runs: 12 - index, cost_usd: "0.1" }),
        ),
      }),
    );
    const folded = foldSmallGroups(points, 10);
    expect(folded).toHaveLength(10);
    expect(folded[8]?.label).toBe("Agent 8");
    expect(folded[9]).toMatchObject({ key: "other", label: "3 others", runs: 3 + 2 + 1 });
    expect(folded[9]?.costUsd).toBeCloseTo(0.3);
    expect(foldSmallGroups(points.slice(0, 10), 10)).toHaveLength(10);
  });
});

describe("describeChart", () => {
  it("says the total and the largest point, and where the figures are", () => {
    const points = dailySeries(
      report({
        rows: [
          row({ key: "2026-11-19", runs: 3, cost_usd: "0.0100" }),
          row({ key: "2026-11-21", runs: 12, cost_usd: "0.0350" }),
        ],
      }),
    );
    expect(describeChart("Bar chart of runs per day", points, "runs", "Usage per day")).toBe(
      "Bar chart of runs per day. In all 15 runs; the most: Nov 21 (12 runs). " +
        "The table “Usage per day” lists every figure.",
    );
    expect(describeChart("Cost", points, "costUsd", "Usage per day")).toContain(
      "In all $0.045; the most: Nov 21 ($0.035).",
    );
    expect(describeChart("Tokens", points, "tokens", "T")).toContain("In all 240 tokens");
    expect(describeChart("Runs", dailySeries(report({})), "runs", "T")).toBe(
      "Runs. In all 0 runs. The table “T” lists every figure.",
    );
  });
});
