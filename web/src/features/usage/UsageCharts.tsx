import { useId, type ReactElement, type ReactNode } from "react";
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";

import { AXIS_TICK, CHART_COLORS, LEGEND_STYLE, TOOLTIP_STYLES } from "./chart-theme";
import { formatCompactCount, formatCost, formatCount } from "./usage-format";
import { describeChart, foldSmallGroups, type DailyPoint, type GroupPoint } from "./usage-series";

/** How many agents or models a chart shows; the rest are summed as one bar. */
const GROUPS_CHARTED = 10;
const GROUP_BAR_HEIGHT = 32;

type TooltipValue = number | string | readonly (number | string)[] | undefined;

function showWith(format: (value: number) => string) {
  return (value: TooltipValue) => (typeof value === "number" ? format(value) : value);
}

function costTick(value: number): string {
  return value === 0 ? "$0" : formatCost(value);
}

function shortLabel(label: string): string {
  return label.length > 20 ? `${label.slice(0, 19)}…` : label;
}

interface ChartFigureProps {
  title: string;
  /** The chart in words: its accessible name. */
  description: string;
  /** The chart's height in pixels; the width follows the page. */
  height?: number;
  children: ReactElement;
}

/**
 * A chart under its heading. Screen readers hear it as one image described in words; the
 * table that goes with it holds every figure.
 */
function ChartFigure({ title, description, height = 224, children }: ChartFigureProps) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="glass min-w-0 rounded-2xl p-5">
      <h2 id={headingId} className="text-sm font-semibold text-white">
        {title}
      </h2>
      <div role="img" aria-label={description} className="mt-4" style={{ height }}>
        <ResponsiveContainer width="100%" height="100%">
          {children}
        </ResponsiveContainer>
      </div>
    </section>
  );
}

const dayAxis = (
  <XAxis
    dataKey="label"
    tick={AXIS_TICK}
    tickLine={false}
    axisLine={{ stroke: CHART_COLORS.grid }}
    minTickGap={16}
  />
);

function countAxis() {
  return (
    <YAxis
      allowDecimals={false}
      tick={AXIS_TICK}
      tickLine={false}
      axisLine={false}
      width={48}
      tickFormatter={formatCompactCount}
    />
  );
}

const grid = <CartesianGrid stroke={CHART_COLORS.grid} vertical={false} />;

/** Runs, tokens and cost per day of the range. */
export function DailyCharts({ points, tableName }: { points: DailyPoint[]; tableName: string }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartFigure
        title="Runs per day"
        description={describeChart("Bar chart of runs per day", points, "runs", tableName)}
      >
        <BarChart data={points} accessibilityLayer={false}>
          {grid}
          {dayAxis}
          {countAxis()}
          <Tooltip {...TOOLTIP_STYLES} formatter={showWith(formatCount)} />
          <Bar dataKey="runs" name="Runs" fill={CHART_COLORS.runs} radius={[3, 3, 0, 0]} />
        </BarChart>
      </ChartFigure>
      <ChartFigure
        title="Tokens per day"
        description={describeChart(
          "Stacked bar chart of tokens in and out per day",
          points,
          "tokens",
          tableName,
        )}
      >
        <BarChart data={points} accessibilityLayer={false}>
          {grid}
          {dayAxis}
          {countAxis()}
          <Tooltip {...TOOLTIP_STYLES} formatter={showWith(formatCount)} />
          <Legend wrapperStyle={LEGEND_STYLE} />
          <Bar dataKey="tokensIn" name="Tokens in" stackId="tokens" fill={CHART_COLORS.tokensIn} />
          <Bar
            dataKey="tokensOut"
            name="Tokens out"
            stackId="tokens"
            fill={CHART_COLORS.tokensOut}
            radius={[3, 3, 0, 0]}
          />
        </BarChart>
      </ChartFigure>
      <ChartFigure
        title="Cost per day"
        description={describeChart("Line chart of cost per day", points, "costUsd", tableName)}
      >
        <LineChart data={points} accessibilityLayer={false}>
          {grid}
          {dayAxis}
          <YAxis
            tick={AXIS_TICK}
            tickLine={false}
            axisLine={false}
            width={64}
            tickFormatter={costTick}
          />
          <Tooltip
            {...TOOLTIP_STYLES}
            cursor={{ stroke: CHART_COLORS.grid }}
            formatter={showWith(formatCost)}
          />
          <Line
            dataKey="costUsd"
            name="Cost"
            type="monotone"
            stroke={CHART_COLORS.cost}
            strokeWidth={2}
            dot={points.length <= 31}
          />
        </LineChart>
      </ChartFigure>
    </div>
  );
}

interface GroupBarChartProps {
  points: GroupPoint[];
  tickFormat: (value: number) => string;
  valueFormat: (value: number) => string;
  children: ReactNode;
}

function GroupBarChart({ points, tickFormat, valueFormat, children }: GroupBarChartProps) {
  return (
    <BarChart data={points} layout="vertical" accessibilityLayer={false}>
      <CartesianGrid stroke={CHART_COLORS.grid} horizontal={false} />
      <XAxis
        type="number"
        tick={AXIS_TICK}
        tickLine={false}
        axisLine={false}
        tickFormatter={tickFormat}
      />
      <YAxis
        type="category"
        dataKey="label"
        tick={AXIS_TICK}
        tickLine={false}
        axisLine={{ stroke: CHART_COLORS.grid }}
        width={150}
        tickFormatter={shortLabel}
      />
      <Tooltip {...TOOLTIP_STYLES} formatter={showWith(valueFormat)} />
      {children}
    </BarChart>
  );
}

interface GroupChartsProps {
  points: GroupPoint[];
  /** "agent" or "model", for the headings. */
  noun: string;
  tableName: string;
}

/** Runs, cost and tokens per agent or model, as horizontal bars, the costliest on top. */
export function GroupCharts({ points, noun, tableName }: GroupChartsProps) {
  const charted = foldSmallGroups(points, GROUPS_CHARTED);
  const height = Math.max(128, charted.length * GROUP_BAR_HEIGHT + 48);
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartFigure
        title={`Runs by ${noun}`}
        height={height}
        description={describeChart(`Bar chart of runs by ${noun}`, points, "runs", tableName)}
      >
        <GroupBarChart points={charted} tickFormat={formatCompactCount} valueFormat={formatCount}>
          <Bar dataKey="runs" name="Runs" fill={CHART_COLORS.runs} radius={[0, 3, 3, 0]} />
        </GroupBarChart>
      </ChartFigure>
      <ChartFigure
        title={`Cost by ${noun}`}
        height={height}
        description={describeChart(`Bar chart of cost by ${noun}`, points, "costUsd", tableName)}
      >
        <GroupBarChart points={charted} tickFormat={costTick} valueFormat={formatCost}>
          <Bar dataKey="costUsd" name="Cost" fill={CHART_COLORS.cost} radius={[0, 3, 3, 0]} />
        </GroupBarChart>
      </ChartFigure>
      <ChartFigure
        title={`Tokens by ${noun}`}
        height={height + 24}
        description={describeChart(
          `Stacked bar chart of tokens in and out by ${noun}`,
          points,
          "tokens",
          tableName,
        )}
      >
        <GroupBarChart points={charted} tickFormat={formatCompactCount} valueFormat={formatCount}>
          <Legend wrapperStyle={LEGEND_STYLE} />
          <Bar dataKey="tokensIn" name="Tokens in" stackId="tokens" fill={CHART_COLORS.tokensIn} />
          <Bar
            dataKey="tokensOut"
            name="Tokens out"
            stackId="tokens"
            fill={CHART_COLORS.tokensOut}
            radius={[0, 3, 3, 0]}
          />
        </GroupBarChart>
      </ChartFigure>
    </div>
  );
}
