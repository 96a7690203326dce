import { describe, expect, it } from "vitest";

import { describeCron } from "./cron-text";

describe("describeCron", () => {
  it("reads a cron expression in words", () => {
    expect(describeCron("0 9 * * 1-5")).toEqual({ text: "At 09:00, Monday through Friday" });
    expect(describeCron(" */15 * * * * ")).toEqual({ text: "Every 15 minutes" });
  });

  it("says what is wrong with one that is not", () => {
    expect(describeCron("0 0 * * * *")).toHaveProperty("problem");
    expect(describeCron("61 * * * *")).toEqual({ problem: "This is not a cron expression." });
  });
});
