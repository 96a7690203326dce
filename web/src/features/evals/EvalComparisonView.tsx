import { ChevronRight } from "lucide-react";
import { useId, useState } from "react";
import { Link } from "react-router";

import { Badge, type BadgeTone } from "../../components/ui/Badge";
import { classNames } from "../../lib/class-names";
import {
  caseChange,
  checkVerdict,
  countCases,
  diffLineKind,
  formatScore,
  type CaseChange,
  type DiffLineKind,
} from "./eval-format";
import { VerdictBadge } from "./EvalParts";
import type { CaseComparison, EvalComparison, EvalResult } from "./hooks";

type Filter = "all" | "differing" | "regressed" | "improved";

const FILTERS: { value: Filter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "differing", label: "Differing" },
  { value: "regressed", label: "Regressed" },
  { value: "improved", label: "Improved" },
];

const CHANGE_BADGE: Record<CaseChange, { label: string; tone: BadgeTone } | null> = {
  regressed: { label: "Regressed", tone: "danger" },
  improved: { label: "Improved", tone: "success" },
  differs: { label: "Differs", tone: "warning" },
  same: null,
};

const LINE_CLASSES: Record<DiffLineKind, string> = {
  added: "bg-emerald-500/12 text-emerald-100",
  removed: "bg-rose-500/12 text-rose-100",
  hunk: "text-luna-300",
  header: "text-slate-400",
  same: "text-slate-300",
};

function shows(filter: Filter, comparison: CaseComparison): boolean {
  if (filter === "all") return true;
  if (filter === "differing") return comparison.differs;
  return caseChange(comparison) === filter;
}

interface EvalComparisonViewProps {
  workspaceId: string;
  comparison: EvalComparison;
}

/**
 * The two targets of an eval run case by case: how many cases differ, improved or
 * regressed, a filter on them, and each case opened into its answers' diff, its steps'
 * diff and every check's verdict on both sides.
 */
export function EvalComparisonView({ workspaceId, comparison }: EvalComparisonViewProps) {
  const headingId = useId();
  const [filter, setFilter] = useState<Filter>("all");
  const [first, second] = comparison.targets;
  const counts: Record<Filter, number> = {
    all: comparison.cases.length,
    differing: comparison.differing,
    regressed: comparison.regressed,
    improved: comparison.improved,
  };
  const shown = comparison.cases.filter((item) => shows(filter, item));
  return (
    <section aria-labelledby={headingId} className="space-y-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h2 id={headingId} className="text-lg font-semibold text-white">
            Comparison
          </h2>
          <p className="mt-1 text-sm text-slate-400">
            <span className="font-mono text-slate-300">{first?.label}</span> against{" "}
            <span className="font-mono text-slate-300">{second?.label}</span>:{" "}
            <span data-testid="comparison-summary">
              {comparison.regressed} regressed, {comparison.improved} improved,{" "}
              {comparison.differing} differing of {countCases(comparison.cases.length)}.
            </span>
          </p>
        </div>
        <div
          role="group"
          aria-label="Show cases"
          className="glass flex w-fit flex-wrap gap-1 rounded-lg p-1"
        >
          {FILTERS.map((choice) => (
            <button
              key={choice.value}
              type="button"
              aria-pressed={filter === choice.value}
              onClick={() => {
                setFilter(choice.value);
              }}
              className={classNames(
                "h-7 rounded-md px-2.5 text-xs font-medium transition-colors",
                filter === choice.value
                  ? "bg-white/12 text-white"
                  : "text-slate-300 hover:bg-white/6 hover:text-white",
              )}
            >
              {choice.label}{" "}
              <span className="text-slate-400 tabular-nums">{counts[choice.value]}</span>
            </button>
          ))}
        </div>
      </div>
      {shown.length === 0 ? (
        <p className="rounded-xl border border-dashed border-white/12 px-4 py-6 text-center text-sm text-slate-400">
          No {filter} cases.
        </p>
      ) : (
        <ul aria-label="Cases compared" className="glass divide-y divide-white/6 rounded-2xl">
          {shown.map((item) => (
            <ComparedCase
              key={item.case_id}
              workspaceId={workspaceId}
              item={item}
              labels={[first?.label ?? "First", second?.label ?? "Second"]}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function ComparedCase({
  workspaceId,
  item,
  labels,
}: {
  workspaceId: string;
  item: CaseComparison;
  labels: [string, string];
}) {
  const panelId = useId();
  const [open, setOpen] = useState(false);
  const change = CHANGE_BADGE[caseChange(item)];
  return (
    <li>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => {
          setOpen(!open);
        }}
        className="flex w-full flex-wrap items-center gap-x-3 gap-y-1.5 px-4 py-3 text-left hover:bg-white/3"
      >
        <ChevronRight
          aria-hidden="true"
          className={classNames(
            "size-4 shrink-0 text-slate-400 transition-transform",
            open && "rotate-90",
          )}
        />
        <span className="min-w-0 flex-1 basis-[calc(100%-2rem)] truncate text-sm font-medium text-white sm:basis-0">
          {item.case_name}
        </span>
        <span className="flex flex-wrap items-center gap-2 text-xs text-slate-400">
          {item.sides.map((side, index) => (
            <span key={index} className="inline-flex items-center gap-1.5">
              {index > 0 && (
                <span aria-hidden="true" className="text-slate-500">
                  →
                </span>
              )}
              <span className="font-mono">{labels[index]}</span>
              <VerdictBadge status={side.status} />
            </span>
          ))}
          {change && <Badge tone={change.tone}>{change.label}</Badge>}
        </span>
      </button>
      {open && (
        <div id={panelId} className="space-y-5 border-t border-white/6 px-4 py-4">
          <div>
            <h3 className="text-xs font-medium text-slate-400">Input</h3>
            <p className="mt-1 max-h-40 overflow-y-auto text-sm whitespace-pre-wrap text-slate-200">
              {item.input}
            </p>
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            {item.sides.map((side, index) => (
              <SideSummary
                key={index}
                workspaceId={workspaceId}
                label={labels[index] ?? ""}
                caseName={item.case_name}
                side={side}
              />
            ))}
          </div>
          <DiffBlock
            title="Answers"
            lines={item.output_diff ? item.output_diff.split("\n") : []}
            empty="Both answers are the same."
            kindOf={diffLineKind}
          />
          <DiffBlock
            title="Steps"
            lines={item.step_diff}
            empty="No steps to compare."
            kindOf={stepLineKind}
          />
          <ChecksTable caseName={item.case_name} sides={item.sides} labels={labels} />
        </div>
      )}
    </li>
  );
}

/** A line of the step diff: `- ` first side only, `+ ` second side only, `  ` both. */
function stepLineKind(line: string): DiffLineKind {
  return line.startsWith("+ ") ? "added" : line.startsWith("- ") ? "removed" : "same";
}

function SideSummary({
  workspaceId,
  label,
  caseName,
  side,
}: {
  workspaceId: string;
  label: string;
  caseName: string;
  side: EvalResult;
}) {
  return (
    <div className="rounded-lg border border-white/8 bg-white/3 px-3 py-2 text-sm">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono text-xs text-slate-200">{label}</span>
        <VerdictBadge status={side.status} />
        <span className="text-xs text-slate-400 tabular-nums">score {formatScore(side.score)}</span>
        {side.run_id && (
          <Link
            to={`/w/${workspaceId}/runs/${side.run_id}`}
            aria-label={`Run of ${caseName} on ${label}`}
            className="ml-auto text-xs text-luna-200 underline-offset-4 hover:underline"
          >
            Run
          </Link>
        )}
      </div>
      {side.error && <p className="mt-1 text-xs text-rose-200">{side.error}</p>}
    </div>
  );
}

function DiffBlock({
  title,
  lines,
  empty,
  kindOf,
}: {
  title: string;
  lines: string[];
  empty: string;
  kindOf: (line: string) => DiffLineKind;
}) {
  const headingId = useId();
  return (
    <div className="space-y-1.5">
      <h3 id={headingId} className="text-xs font-medium text-slate-400">
        {title}
      </h3>
      {lines.length === 0 ? (
        <p className="text-sm text-slate-400">{empty}</p>
      ) : (
        <div
          role="region"
          aria-labelledby={headingId}
          tabIndex={0}
          className="max-h-96 overflow-auto rounded-lg border border-white/10 bg-night/60 focus-visible:outline-2 focus-visible:outline-halo"
        >
          <pre className="min-w-fit py-1 font-mono text-xs leading-5">
            {lines.map((line, index) => (
              <span
                key={index}
                data-diff={kindOf(line)}
                className={classNames("block px-3 whitespace-pre", LINE_CLASSES[kindOf(line)])}
              >
                {line || " "}
              </span>
            ))}
          </pre>
        </div>
      )}
    </div>
  );
}

/** Every check of the case, with each side's verdict and its reason. */
function ChecksTable({
  caseName,
  sides,
  labels,
}: {
  caseName: string;
  sides: EvalResult[];
  labels: [string, string];
}) {
  const names = [...new Set(sides.flatMap((side) => side.checks.map((check) => check.name)))];
  if (names.length === 0) {
    return (
      <p className="text-sm text-slate-400">No checks: a case passes when its run succeeds.</p>
    );
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[32rem] text-left text-sm">
        <caption className="sr-only">Checks of {caseName}</caption>
        <thead className="text-xs text-slate-400">
          <tr>
            <th scope="col" className="py-1.5 pr-3 font-medium">
              Check
            </th>
            {sides.map((_, index) => (
              <th key={index} scope="col" className="px-3 py-1.5 font-mono font-medium">
                {labels[index]}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-white/6">
          {names.map((name) => (
            <tr key={name}>
              <th
                scope="row"
                className="py-2 pr-3 align-top font-mono text-xs font-normal text-slate-200"
              >
                {name}
              </th>
              {sides.map((side, index) => {
                const check = side.checks.find((found) => found.name === name);
                if (!check) {
                  return (
                    <td key={index} className="px-3 py-2 align-top text-xs text-slate-400">
                      –
                    </td>
                  );
                }
                const verdict = checkVerdict(check);
                return (
                  <td key={index} className="px-3 py-2 align-top">
                    <Badge tone={verdict.tone}>{verdict.text}</Badge>
                    {check.reason && <p className="mt-1 text-xs text-slate-400">{check.reason}</p>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
