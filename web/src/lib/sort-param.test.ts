import { describe, expect, it } from "vitest";

import { sortingFromParam, sortingToParam, type SortOptions } from "./sort-param";

const newestFirst: SortOptions = {
  columns: ["name", "created_at"],
  fallback: [{ id: "created_at", desc: true }],
};

describe("sort parameter", () => {
  it("reads a column, descending with a minus", () => {
    expect(sortingFromParam("name", newestFirst)).toEqual([{ id: "name", desc: false }]);
    expect(sortingFromParam("-name", newestFirst)).toEqual([{ id: "name", desc: true }]);
  });

  it("falls back for a missing or unknown column", () => {
    expect(sortingFromParam(null, newestFirst)).toEqual(newestFirst.fallback);
    expect(sortingFromParam("-password", newestFirst)).toEqual(newestFirst.fallback);
  });

  it("leaves the default order out of the address", () => {
    expect(sortingToParam([{ id: "created_at", desc: true }], newestFirst)).toBeNull();
    expect(sortingToParam([{ id: "created_at", desc: false }], newestFirst)).toBe("created_at");
    expect(sortingToParam([], { columns: ["name"], fallback: [] })).toBeNull();
  });
});
