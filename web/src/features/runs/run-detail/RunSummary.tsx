import { Clock3, Coins, Cpu, Footprints, Gauge, Sparkles } from "lucide-react";
import type { ReactNode } from "react";

import { Badge } from "../../../components/ui/Badge";
import { classNames } from "../../../lib/class-names";
import { formatDateTime, formatRelative } from "../../../lib/dates";
import { useElapsed } from "../../../lib/use-elapsed";
import {
  RUN_STATUS_LABELS,
  RUN_STATUS_TONES,
  formatConfidence,
  formatCost,
  formatCount,
  formatElapsed,
  formatLatency,
  runAnswer,
  runErrorAdvice,
  runInputText,
} from "../run-format";
import type { Run, RunTotals } from "./graph-model";
import type { StreamState } from "./run-events";

const STREAM_LABELS: Record<StreamState, string | null> = {
  idle: null,
  connecting: "Connecting…",
  open: "Live",
  reconnecting: "Reconnecting…",
  closed: null,
  failed: "Live updates stopped: reload the page to follow the run again.",
};

/** What the summary shows of a run; a shared run has its agent's name but not its id. */
export type SummaryRun = Pick<
  Run,
  "status" | "model" | "created_at" | "started_at" | "finished_at" | "error" | "input" | "output"
> &
  Partial<Pick<Run, "agent_id">>;

interface RunSummaryProps {
  run: SummaryRun;
  agentName: string | null;
  totals: RunTotals;
  stream: StreamState;
}

/**
 * The run's story at a glance: its status with the time it has taken, what it was asked,
 * what it answered (or why it failed and what to do), and its totals. Each total is in an
 * element with `data-field` (`steps`, `tokens-in`, `tokens-out`, `cost`, `latency`,
 * `confidence`), as are the `status`, `elapsed`, `input` and `answer`.
 */
export function RunSummary({ run, agentName, totals, stream }: RunSummaryProps) {
  return (
    <section aria-label="Summary" data-testid="run-summary" className="mb-6 space-y-4">
      <StatusLine run={run} agentName={agentName} stream={stream} />
      <div className="grid gap-4 lg:grid-cols-2">
        <Story title="Input" field="input">
          <Prose text={runInputText(run.input)} empty="No input." label="Input" />
        </Story>
        <Outcome run={run} />
      </div>
      <Totals totals={totals} />
    </section>
  );
}

function StatusLine({
  run,
  agentName,
  stream,
}: {
  run: SummaryRun;
  agentName: string | null;
  stream: StreamState;
}) {
  const elapsed = useElapsed(run.started_at, run.finished_at);
  const streamLabel = STREAM_LABELS[stream];
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-2 text-sm text-slate-300">
      <span data-field="status" data-value={run.status}>
        <Badge tone={RUN_STATUS_TONES[run.status]}>{RUN_STATUS_LABELS[run.status]}</Badge>
      </span>
      {elapsed !== null && (
        <span
          className="flex items-center gap-1.5 tabular-nums"
          data-field="elapsed"
          data-value={elapsed}
          title={run.finished_at ? "Time from start to finish" : "Time since the run started"}
        >
          <Clock3 aria-hidden="true" className="size-4 text-slate-400" />
          {run.finished_at !== null && elapsed < 60_000
            ? formatLatency(elapsed)
            : formatElapsed(elapsed)}
        </span>
      )}
      {streamLabel && (
        <span
          role="status"
          data-field="stream"
          data-value={stream}
          className={classNames(
            "flex items-center gap-1.5 text-xs",
            stream === "failed" ? "text-amber-200" : "text-halo",
          )}
        >
          <span
            aria-hidden="true"
            className={classNames(
              "size-2 rounded-full",
              stream === "failed" ? "bg-amber-300" : "bg-halo motion-safe:animate-shimmer",
            )}
          />
          {streamLabel}
        </span>
      )}
      <span className="flex items-center gap-1.5">
        <Sparkles aria-hidden="true" className="size-4 text-slate-400" />
        <span data-field="agent" className="font-medium text-white">
          {agentName ?? <code className="font-mono text-xs">{run.agent_id}</code>}
        </span>
      </span>
      {run.model && (
        <span className="flex min-w-0 items-center gap-1.5">
          <Cpu aria-hidden="true" className="size-4 shrink-0 text-slate-400" />
          <code className="truncate font-mono text-xs text-slate-200">{run.model}</code>
        </span>
      )}
      <time
        dateTime={run.created_at}
        title={formatDateTime(run.created_at)}
        className="text-slate-400"
      >
        {formatRelative(run.created_at)}
      </time>
    </div>
  );
}

/** The answer, the error and what to do about it, or what the run is doing meanwhile. */
function Outcome({ run }: { run: SummaryRun }) {
  if (run.error) {
    const advice = runErrorAdvice(run.error.code);
    const cancelled = run.status === "cancelled";
    return (
      <Story title={cancelled ? "Cancelled" : "Error"} field="answer" tone="danger">
        <p className="text-sm text-rose-100">{run.error.message}</p>
        {advice && <p className="mt-2 text-sm text-slate-300">{advice}</p>}
        <code className="mt-2 block font-mono text-xs text-slate-400">{run.error.code}</code>
      </Story>
    );
  }
  const answer = runAnswer(run);
  if (answer !== null) {
    return (
      <Story title="Answer" field="answer" tone="success">
        <Prose text={answer} empty="The agent answered with nothing." label="Answer" />
      </Story>
    );
  }
  const waiting: Partial<Record<Run["status"], string>> = {
    queued: "Waiting for a free slot to start.",
    running: "Working. The answer shows here when the run finishes.",
    waiting_approval: "Paused until a member approves or rejects the calls below.",
  };
  return (
    <Story title="Answer" field="answer">
      <p className="text-sm text-slate-400">{waiting[run.status] ?? "This run gave no answer."}</p>
    </Story>
  );
}

type StoryTone = "neutral" | "success" | "danger";

const STORY_TONES: Record<StoryTone, string> = {
  neutral: "border-white/10",
  success: "border-emerald-400/25",
  danger: "border-rose-400/35 bg-rose-500/5",
};

function Story({
  title,
  field,
  tone = "neutral",
  children,
}: {
  title: string;
  field: string;
  tone?: StoryTone;
  children: ReactNode;
}) {
  return (
    <div
      data-field={field}
      className={classNames("glass min-w-0 rounded-xl border px-4 py-3", STORY_TONES[tone])}
    >
      <h2 className="mb-1.5 text-xs font-medium tracking-wide text-slate-400 uppercase">{title}</h2>
      {children}
    </div>
  );
}

/**
 * Text as written, scrolling inside its card when it is long; the keyboard can reach it to
 * scroll it.
 */
function Prose({ text, empty, label }: { text: string; empty: string; label: string }) {
  if (text.trim() === "") {
    return <p className="text-sm text-slate-400">{empty}</p>;
  }
  return (
    <p
      tabIndex={0}
      aria-label={label}
      className="max-h-48 overflow-y-auto rounded focus-visible:outline-2 focus-visible:outline-halo text-sm break-words whitespace-pre-wrap text-slate-100"
    >
      {text}
    </p>
  );
}

function Totals({ totals }: { totals: RunTotals }) {
  return (
    <dl className="flex flex-wrap gap-x-6 gap-y-2 text-sm">
      <Total icon={<Footprints />} label="Steps" field="steps" value={totals.steps}>
        {formatCount(totals.steps)}
      </Total>
      <Total icon={<Gauge />} label="Tokens in" field="tokens-in" value={totals.tokensIn}>
        {formatCount(totals.tokensIn)}
      </Total>
      <Total icon={<Gauge />} label="Tokens out" field="tokens-out" value={totals.tokensOut}>
        {formatCount(totals.tokensOut)}
      </Total>
      <Total icon={<Coins />} label="Cost" field="cost" value={totals.costUsd}>
        {formatCost(totals.costUsd)}
      </Total>
      <Total icon={<Clock3 />} label="Latency" field="latency" value={totals.latencyMs}>
        {totals.latencyMs === null ? "Not finished" : formatLatency(totals.latencyMs)}
      </Total>
      {totals.confidence !== null && (
        <Total icon={<Sparkles />} label="Confidence" field="confidence" value={totals.confidence}>
          {formatConfidence(totals.confidence)}
        </Total>
      )}
    </dl>
  );
}

interface TotalProps {
  icon: ReactNode;
  label: string;
  field: string;
  value: string | number | null;
  children: string;
}

function Total({ icon, label, field, value, children }: TotalProps) {
  return (
    <div className="flex items-baseline gap-1.5">
      <span aria-hidden="true" className="self-center text-slate-500 [&>svg]:size-3.5">
        {icon}
      </span>
      <dt className="text-slate-400">{label}</dt>
      <dd
        data-field={field}
        data-value={value ?? ""}
        className="font-medium text-white tabular-nums"
      >
        {children}
      </dd>
    </div>
  );
}
