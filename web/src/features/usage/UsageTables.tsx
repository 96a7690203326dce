import { useId, type ReactNode } from "react";

import { classNames } from "../../lib/class-names";
import { formatCost, formatCount, formatLongDay } from "./usage-format";
import type { DailyPoint, GroupPoint, UsageFigures } from "./usage-series";

const NUMBER_CELL = "px-3 py-1.5 text-right tabular-nums whitespace-nowrap";

function FigureCells({ figures }: { figures: UsageFigures }) {
  return (
    <>
      <td className={NUMBER_CELL}>{formatCount(figures.runs)}</td>
      <td className={NUMBER_CELL}>{formatCount(figures.tokensIn)}</td>
      <td className={NUMBER_CELL}>{formatCount(figures.tokensOut)}</td>
      <td className={NUMBER_CELL}>{formatCost(figures.costUsd)}</td>
    </>
  );
}

interface FiguresTableProps {
  title: string;
  /** The first column's heading: "Day (UTC)", "Agent", "Model". */
  keyHeading: string;
  totals: UsageFigures;
  children: ReactNode;
}

/**
 * The figures behind the charts, compact and scrollable; the scrolling box takes focus so
 * that it scrolls from the keyboard too.
 */
function FiguresTable({ title, keyHeading, totals, children }: FiguresTableProps) {
  const headingId = useId();
  return (
    <div className="glass rounded-2xl p-5">
      <h2 id={headingId} className="text-sm font-semibold text-white">
        {title}
      </h2>
      <div
        role="region"
        aria-labelledby={headingId}
        tabIndex={0}
        className="mt-3 max-h-96 overflow-auto rounded-lg"
      >
        <table aria-labelledby={headingId} className="w-full text-left text-xs text-slate-200">
          <thead className="sticky top-0 bg-night-raised text-slate-400">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                {keyHeading}
              </th>
              {["Runs", "Tokens in", "Tokens out", "Cost"].map((heading) => (
                <th key={heading} scope="col" className="px-3 py-2 text-right font-medium">
                  {heading}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-white/6">{children}</tbody>
          <tfoot className="border-t border-white/12 font-semibold text-white">
            <tr>
              <th scope="row" className="px-3 py-2 font-semibold">
                Total
              </th>
              <FigureCells figures={totals} />
            </tr>
          </tfoot>
        </table>
      </div>
    </div>
  );
}

interface DailyTableProps {
  title: string;
  points: DailyPoint[];
  totals: UsageFigures;
}

export function DailyTable({ title, points, totals }: DailyTableProps) {
  return (
    <FiguresTable title={title} keyHeading="Day (UTC)" totals={totals}>
      {points.map((point) => (
        <tr key={point.day} className={classNames(point.runs === 0 && "text-slate-400")}>
          <th scope="row" className="px-3 py-1.5 font-normal whitespace-nowrap">
            <time dateTime={point.day}>{formatLongDay(point.day)}</time>
          </th>
          <FigureCells figures={point} />
        </tr>
      ))}
    </FiguresTable>
  );
}

interface GroupTableProps {
  title: string;
  keyHeading: string;
  points: GroupPoint[];
  totals: UsageFigures;
}

export function GroupTable({ title, keyHeading, points, totals }: GroupTableProps) {
  return (
    <FiguresTable title={title} keyHeading={keyHeading} totals={totals}>
      {points.map((point) => (
        <tr key={point.key}>
          <th scope="row" className="max-w-72 truncate px-3 py-1.5 font-normal" title={point.key}>
            {point.label}
          </th>
          <FigureCells figures={point} />
        </tr>
      ))}
    </FiguresTable>
  );
}
