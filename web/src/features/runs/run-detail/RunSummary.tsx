import { Badge } from "../../../components/ui/Badge";
import { classNames } from "../../../lib/class-names";
import { formatDateTime } from "../../../lib/dates";
import {
  RUN_STATUS_LABELS,
  RUN_STATUS_TONES,
  formatConfidence,
  formatCost,
  formatCount,
  formatLatency,
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
export type SummaryRun = Pick<Run, "status" | "model" | "created_at" | "error"> &
  Partial<Pick<Run, "agent_id">>;

interface RunSummaryProps {
  run: SummaryRun;
  agentName: string | null;
  totals: RunTotals;
  stream: StreamState;
}

/**
 * The run's agent, status and totals. Each total is in an element with `data-field`
 * (`steps`, `tokens-in`, `tokens-out`, `cost`, `latency`, `confidence`).
 */
export function RunSummary({ run, agentName, totals, stream }: RunSummaryProps) {
  const streamLabel = STREAM_LABELS[stream];
  return (
    <section aria-label="Summary" data-testid="run-summary" className="mb-6 space-y-4">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2 text-sm text-slate-300">
        <span data-field="status" data-value={run.status}>
          <Badge tone={RUN_STATUS_TONES[run.status]}>{RUN_STATUS_LABELS[run.status]}</Badge>
        </span>
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
        <span>
          Agent{" "}
          <span data-field="agent" className="font-medium text-white">
            {agentName ?? <code className="font-mono text-xs">{run.agent_id}</code>}
          </span>
        </span>
        {run.model && (
          <span>
            Model <code className="font-mono text-xs text-slate-200">{run.model}</code>
          </span>
        )}
        <span>
          Created <time dateTime={run.created_at}>{formatDateTime(run.created_at)}</time>
        </span>
      </div>
      {run.error && (
        <p className="rounded-lg border border-rose-400/40 bg-rose-500/10 px-3 py-2 text-sm text-rose-100">
          <code className="font-mono text-xs">{run.error.code}</code> {run.error.message}
        </p>
      )}
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Total label="Steps" field="steps" value={totals.steps}>
          {formatCount(totals.steps)}
        </Total>
        <Total label="Tokens in" field="tokens-in" value={totals.tokensIn}>
          {formatCount(totals.tokensIn)}
        </Total>
        <Total label="Tokens out" field="tokens-out" value={totals.tokensOut}>
          {formatCount(totals.tokensOut)}
        </Total>
        <Total label="Cost" field="cost" value={totals.costUsd}>
          {formatCost(totals.costUsd)}
        </Total>
        <Total label="Latency" field="latency" value={totals.latencyMs}>
          {totals.latencyMs === null ? "Not finished" : formatLatency(totals.latencyMs)}
        </Total>
        {totals.confidence !== null && (
          <Total label="Confidence" field="confidence" value={totals.confidence}>
            {formatConfidence(totals.confidence)}
          </Total>
        )}
      </dl>
    </section>
  );
}

interface TotalProps {
  label: string;
  field: string;
  value: string | number | null;
  children: string;
}

function Total({ label, field, value, children }: TotalProps) {
  return (
    <div className="glass rounded-xl px-3 py-2">
      <dt className="text-xs text-slate-400">{label}</dt>
      <dd
        data-field={field}
        data-value={value ?? ""}
        className="text-lg font-semibold text-white tabular-nums"
      >
        {children}
      </dd>
    </div>
  );
}
