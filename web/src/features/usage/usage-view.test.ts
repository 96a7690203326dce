import { describe, expect, it } from "vitest";

import { usagePeriod, viewFromParams, writeView } from "./usage-view";

describe("usage view", () => {
  it("reads the range and grouping from the address, with defaults for the rest", () => {
    expect(viewFromParams(new URLSearchParams("days=7&group_by=model"))).toEqual({
      days: 7,
      groupBy: "model",
    });
    expect(viewFromParams(new URLSearchParams("days=12&group_by=week"))).toEqual({
      days: 30,
      groupBy: "day",
    });
  });

  it("writes only what differs from the default", () => {
    expect(writeView(new URLSearchParams("x=1"), { days: 30, groupBy: "day" }).toString()).toBe(
      "x=1",
    );
    expect(writeView(new URLSearchParams(), { days: 90, groupBy: "agent" }).toString()).toBe(
      "days=90&group_by=agent",
    );
  });

  it("ends the period today in UTC, counting today", () => {
    // 23:30 in New York on the 24th is already the 25th in UTC.
    const now = new Date("2026-11-24T23:30:00-05:00");
    expect(usagePeriod(7, now)).toEqual({ from: "2026-11-19", to: "2026-11-25" });
    expect(usagePeriod(30, now)).toEqual({ from: "2026-10-27", to: "2026-11-25" });
  });
});
