import { describe, expect, it } from "vitest";

import { collapseUnchanged, diffLines, hasChanges, splitLines, type DiffLine } from "./diff";

/** A diff as `+ text`, `- text` and `  text` lines, easy to read in an assertion. */
function marked(lines: DiffLine[]): string[] {
  const signs = { added: "+", removed: "-", unchanged: " " } as const;
  return lines.map((line) => `${signs[line.kind]} ${line.text}`);
}

describe("splitLines", () => {
  it("gives no lines for an empty text, and ignores a final newline", () => {
    expect(splitLines("")).toEqual([]);
    expect(splitLines("a\nb\n")).toEqual(["a", "b"]);
    expect(splitLines("a\r\nb")).toEqual(["a", "b"]);
    expect(splitLines("\n")).toEqual([""]);
  });
});

describe("diffLines", () => {
  it("marks every line unchanged for equal texts, numbered on both sides", () => {
    const lines = diffLines(["a", "b"], ["a", "b"]);
    expect(lines).toEqual([
      { kind: "unchanged", text: "a", oldNumber: 1, newNumber: 1 },
      { kind: "unchanged", text: "b", oldNumber: 2, newNumber: 2 },
    ]);
    expect(hasChanges(lines)).toBe(false);
  });

  it("finds added lines, numbered in the new text", () => {
    const lines = diffLines(["a", "c"], ["a", "b", "c", "d"]);
    expect(marked(lines)).toEqual(["  a", "+ b", "  c", "+ d"]);
    expect(lines[1]).toEqual({ kind: "added", text: "b", newNumber: 2 });
    expect(lines[3]).toEqual({ kind: "added", text: "d", newNumber: 4 });
    expect(lines[2]).toEqual({ kind: "unchanged", text: "c", oldNumber: 2, newNumber: 3 });
  });

  it("finds removed lines, numbered in the old text", () => {
    const lines = diffLines(["x", "a", "b", "c"], ["a", "c"]);
    expect(marked(lines)).toEqual(["- x", "  a", "- b", "  c"]);
    expect(lines[0]).toEqual({ kind: "removed", text: "x", oldNumber: 1 });
    expect(lines[2]).toEqual({ kind: "removed", text: "b", oldNumber: 3 });
  });

  it("shows a changed line as the old one removed, then the new one added", () => {
    expect(marked(diffLines(["a", "b", "c"], ["a", "B", "c"]))).toEqual([
      "  a",
      "- b",
      "+ B",
      "  c",
    ]);
  });

  it("keeps the longest run of common lines", () => {
    const lines = diffLines(["a", "b", "c", "d", "e"], ["b", "x", "c", "e", "f"]);
    expect(lines.filter((line) => line.kind === "unchanged").map((line) => line.text)).toEqual([
      "b",
      "c",
      "e",
    ]);
    expect(marked(lines)).toEqual(["- a", "  b", "+ x", "  c", "- d", "  e", "+ f"]);
  });

  it("handles empty inputs on either side", () => {
    expect(diffLines([], [])).toEqual([]);
    expect(marked(diffLines([], ["a", "b"]))).toEqual(["+ a", "+ b"]);
    expect(marked(diffLines(["a", "b"], []))).toEqual(["- a", "- b"]);
  });

  it("treats repeated lines one by one", () => {
    expect(marked(diffLines(["a", "a"], ["a", "a", "a"]))).toEqual(["  a", "  a", "+ a"]);
  });
});

describe("collapseUnchanged", () => {
  it("keeps the context around a change and counts what it leaves out", () => {
    const before = Array.from({ length: 20 }, (_, index) => `line ${index + 1}`);
    const after = before.map((line) => (line === "line 10" ? "line ten" : line));
    const shown = collapseUnchanged(diffLines(before, after), 2);
    expect(shown[0]).toEqual({ kind: "gap", count: 7 });
    expect(shown.slice(1, 7).map((line) => ("text" in line ? line.text : "gap"))).toEqual([
      "line 8",
      "line 9",
      "line 10",
      "line ten",
      "line 11",
      "line 12",
    ]);
    expect(shown[7]).toEqual({ kind: "gap", count: 8 });
    expect(shown).toHaveLength(8);
  });

  it("makes a diff without changes one gap", () => {
    expect(collapseUnchanged(diffLines(["a", "b"], ["a", "b"]))).toEqual([
      { kind: "gap", count: 2 },
    ]);
  });
});
