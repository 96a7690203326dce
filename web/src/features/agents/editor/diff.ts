/**
 * A line diff from a longest common subsequence: the lines both texts keep in order are
 * unchanged, the others are removed (only in the old text) or added (only in the new).
 */

export type DiffLine =
  | { kind: "unchanged"; text: string; oldNumber: number; newNumber: number }
  | { kind: "removed"; text: string; oldNumber: number }
  | { kind: "added"; text: string; newNumber: number };

/**
 * Past this many cells (lines of the old text times lines of the new, once their common
 * start and end are set aside) the table would take too long to fill; the middle is then
 * shown as removed in full and added in full, which is still a true diff.
 */
const MAX_TABLE_CELLS = 4_000_000;

/** A text's lines; an empty text has none, and a final newline does not add an empty one. */
export function splitLines(text: string): string[] {
  if (text === "") {
    return [];
  }
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.at(-1) === "") {
    lines.pop();
  }
  return lines;
}

/** The lines that turn `oldLines` into `newLines`, in reading order, numbered from 1. */
export function diffLines(oldLines: readonly string[], newLines: readonly string[]): DiffLine[] {
  let start = 0;
  while (
    start < oldLines.length &&
    start < newLines.length &&
    oldLines[start] === newLines[start]
  ) {
    start += 1;
  }
  let oldEnd = oldLines.length;
  let newEnd = newLines.length;
  while (oldEnd > start && newEnd > start && oldLines[oldEnd - 1] === newLines[newEnd - 1]) {
    oldEnd -= 1;
    newEnd -= 1;
  }
  const result: DiffLine[] = [];
  const keep = (oldIndex: number, newIndex: number) => {
    result.push({
      kind: "unchanged",
      text: oldLines[oldIndex] ?? "",
      oldNumber: oldIndex + 1,
      newNumber: newIndex + 1,
    });
  };
  for (let index = 0; index < start; index += 1) {
    keep(index, index);
  }
  result.push(
    ...diffMiddle(oldLines.slice(start, oldEnd), newLines.slice(start, newEnd), start, start),
  );
  for (let offset = 0; offset < oldLines.length - oldEnd; offset += 1) {
    keep(oldEnd + offset, newEnd + offset);
  }
  return result;
}

/** The diff of two runs of lines that share no first or last line. */
function diffMiddle(
  oldLines: readonly string[],
  newLines: readonly string[],
  oldOffset: number,
  newOffset: number,
): DiffLine[] {
  const rows = oldLines.length;
  const columns = newLines.length;
  const removed = (index: number): DiffLine => ({
    kind: "removed",
    text: oldLines[index] ?? "",
    oldNumber: oldOffset + index + 1,
  });
  const added = (index: number): DiffLine => ({
    kind: "added",
    text: newLines[index] ?? "",
    newNumber: newOffset + index + 1,
  });
  if (rows * columns > MAX_TABLE_CELLS) {
    return [
      ...oldLines.map((_, index) => removed(index)),
      ...newLines.map((_, index) => added(index)),
    ];
  }
  // common[i * (columns + 1) + j]: the length of the longest common subsequence of
  // oldLines[i..] and newLines[j..].
  const width = columns + 1;
  const common = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i -= 1) {
    for (let j = columns - 1; j >= 0; j -= 1) {
      common[i * width + j] =
        oldLines[i] === newLines[j]
          ? (common[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(common[(i + 1) * width + j] ?? 0, common[i * width + j + 1] ?? 0);
    }
  }
  const result: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < rows || j < columns) {
    if (i < rows && j < columns && oldLines[i] === newLines[j]) {
      result.push({
        kind: "unchanged",
        text: oldLines[i] ?? "",
        oldNumber: oldOffset + i + 1,
        newNumber: newOffset + j + 1,
      });
      i += 1;
      j += 1;
    } else if (
      j >= columns ||
      (i < rows && (common[(i + 1) * width + j] ?? 0) >= (common[i * width + j + 1] ?? 0))
    ) {
      // Removals first, so that a changed line reads as the old line, then the new one.
      result.push(removed(i));
      i += 1;
    } else {
      result.push(added(j));
      j += 1;
    }
  }
  return result;
}

/** Whether a diff changes anything. */
export function hasChanges(lines: readonly DiffLine[]): boolean {
  return lines.some((line) => line.kind !== "unchanged");
}

/** A run of unchanged lines left out of view, far from any change. */
export interface DiffGap {
  kind: "gap";
  /** How many lines are left out. */
  count: number;
}

/**
 * The diff with each run of unchanged lines cut to the `context` lines next to a change;
 * what is cut becomes one gap. A diff without changes is all one gap.
 */
export function collapseUnchanged(lines: readonly DiffLine[], context = 3): (DiffLine | DiffGap)[] {
  const near = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, index) => {
    if (line.kind !== "unchanged") {
      const from = Math.max(0, index - context);
      const to = Math.min(lines.length - 1, index + context);
      for (let shown = from; shown <= to; shown += 1) {
        near[shown] = true;
      }
    }
  });
  const result: (DiffLine | DiffGap)[] = [];
  lines.forEach((line, index) => {
    if (near[index]) {
      result.push(line);
      return;
    }
    const last = result.at(-1);
    if (last?.kind === "gap") {
      last.count += 1;
    } else {
      result.push({ kind: "gap", count: 1 });
    }
  });
  return result;
}
