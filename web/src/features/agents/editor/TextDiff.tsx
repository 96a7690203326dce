import { useId, useMemo } from "react";

import { collapseUnchanged, diffLines, splitLines, type DiffLine } from "./diff";

const MARKS: Record<DiffLine["kind"], { sign: string; label: string; row: string }> = {
  added: { sign: "+", label: "Added", row: "bg-emerald-500/12 text-emerald-50" },
  removed: { sign: "−", label: "Removed", row: "bg-rose-500/12 text-rose-50" },
  unchanged: { sign: " ", label: "Unchanged", row: "text-slate-300" },
};

interface TextDiffProps {
  title: string;
  before: string;
  after: string;
  fromVersion: number;
  toVersion: number;
}

/** The lines of one part of a definition that differ between two versions, numbered. */
export function TextDiff({ title, before, after, fromVersion, toVersion }: TextDiffProps) {
  const headingId = useId();
  const lines = useMemo(() => diffLines(splitLines(before), splitLines(after)), [before, after]);
  const shown = useMemo(() => collapseUnchanged(lines), [lines]);
  const added = lines.filter((line) => line.kind === "added").length;
  const removed = lines.filter((line) => line.kind === "removed").length;
  return (
    <section aria-labelledby={headingId} className="space-y-2">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h4 id={headingId} className="text-sm font-semibold text-white">
          {title}
        </h4>
        <p className="text-xs text-slate-400">
          {added === 0 && removed === 0
            ? "No changes"
            : `${plural(added, "line")} added, ${plural(removed, "line")} removed`}
        </p>
      </div>
      {added + removed > 0 && (
        <div className="overflow-hidden rounded-lg border border-white/10 bg-night/60">
          <table className="w-full border-collapse font-mono text-xs leading-5">
            <caption className="sr-only">
              {title}: changes from version {fromVersion} to version {toVersion}
            </caption>
            <thead className="sr-only">
              <tr>
                <th scope="col">Line in version {fromVersion}</th>
                <th scope="col">Line in version {toVersion}</th>
                <th scope="col">Change</th>
                <th scope="col">Text</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((line, index) =>
                line.kind === "gap" ? (
                  <tr key={index} className="text-slate-400">
                    <td colSpan={4} className="border-y border-white/8 px-3 py-1 italic">
                      {plural(line.count, "unchanged line")}
                    </td>
                  </tr>
                ) : (
                  <DiffRow key={index} line={line} />
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function DiffRow({ line }: { line: DiffLine }) {
  const mark = MARKS[line.kind];
  const oldNumber = line.kind === "added" ? null : line.oldNumber;
  const newNumber = line.kind === "removed" ? null : line.newNumber;
  return (
    <tr className={mark.row}>
      <td className="w-10 px-2 text-right text-slate-400 select-none">{oldNumber}</td>
      <td className="w-10 px-2 text-right text-slate-400 select-none">{newNumber}</td>
      <td className="w-6 text-center font-semibold select-none">
        <span aria-hidden="true">{mark.sign}</span>
        <span className="sr-only">{mark.label}</span>
      </td>
      <td className="pr-3 break-all whitespace-pre-wrap">{line.text}</td>
    </tr>
  );
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
