import { Link } from "react-router";

import { Badge } from "../../components/ui/Badge";
import { Spinner } from "../../components/ui/Spinner";
import {
  RUN_STATUS_LABELS,
  RUN_STATUS_TONES,
  formatCost,
  formatCount,
  formatLatency,
  shortRunId,
} from "../runs/run-format";
import { isLive, type Run, type RunTotals } from "../runs/run-detail/graph-model";

/** The run's status, with a spinner while it runs. */
export function RunStatus({ run }: { run: Run }) {
  return (
    <span
      data-field="status"
      data-value={run.status}
      className="inline-flex items-center gap-1.5 text-slate-300"
    >
      {isLive(run) && <Spinner className="text-halo" />}
      <Badge tone={RUN_STATUS_TONES[run.status]}>{RUN_STATUS_LABELS[run.status]}</Badge>
    </span>
  );
}

interface RunFiguresProps {
  workspaceId: string;
  run: Run;
  /** The run's totals with its streamed steps; the stored ones without. */
  totals: RunTotals | null;
}

/**
 * The run's tokens, cost and latency, each in an element with `data-field` (`tokens-in`,
 * `tokens-out`, `cost`, `latency`), and a link to its page.
 */
export function RunFigures({ workspaceId, run, totals }: RunFiguresProps) {
  const tokensIn = totals?.tokensIn ?? run.tokens_in;
  const tokensOut = totals?.tokensOut ?? run.tokens_out;
  const cost = totals?.costUsd ?? run.cost_usd;
  return (
    <div className="flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-400">
      <dl className="flex flex-wrap gap-x-4 gap-y-1">
        <Figure label="Tokens in" field="tokens-in" value={tokensIn}>
          {formatCount(tokensIn)}
        </Figure>
        <Figure label="Tokens out" field="tokens-out" value={tokensOut}>
          {formatCount(tokensOut)}
        </Figure>
        <Figure label="Cost" field="cost" value={cost}>
          {formatCost(cost)}
        </Figure>
        <Figure label="Latency" field="latency" value={run.latency_ms}>
          {run.latency_ms === null ? "Not finished" : formatLatency(run.latency_ms)}
        </Figure>
      </dl>
      <Link
        to={`/w/${workspaceId}/runs/${run.id}`}
        className="font-medium text-luna-300 hover:text-luna-200"
      >
        Open the run<span className="sr-only"> {shortRunId(run.id)}</span>{" "}
        <span aria-hidden="true">→</span>
      </Link>
    </div>
  );
}

interface FigureProps {
  label: string;
  field: string;
  value: string | number | null;
  children: string;
}

function Figure({ label, field, value, children }: FigureProps) {
  return (
    <div className="flex gap-1">
      <dt>{label}</dt>
      <dd data-field={field} data-value={value ?? ""} className="text-slate-200 tabular-nums">
        {children}
      </dd>
    </div>
  );
}
