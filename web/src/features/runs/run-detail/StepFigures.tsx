import { classNames } from "../../../lib/class-names";
import { formatConfidence, formatCost, formatCount, formatLatency } from "../run-format";
import type { Step } from "./graph-model";

/**
 * A step's latency, tokens in and out, cost and confidence. Each figure is in an element
 * with `data-field` (`latency`, `tokens-in`, `tokens-out`, `cost`, `confidence`) whose
 * `data-value` is the API's own value; the confidence is absent when the API has none.
 */
export function StepFigures({ step, compact = false }: { step: Step; compact?: boolean }) {
  return (
    <dl
      className={classNames(
        "grid tabular-nums",
        compact ? "grid-cols-4 gap-x-2 text-[11px]" : "grid-cols-2 gap-x-4 gap-y-2 text-sm",
      )}
    >
      <Figure label="Latency" field="latency" value={step.latency_ms} compact={compact}>
        {step.latency_ms === null ? "–" : formatLatency(step.latency_ms)}
      </Figure>
      <Figure label="Tokens in" field="tokens-in" value={step.tokens_in} compact={compact}>
        {formatCount(step.tokens_in)}
      </Figure>
      <Figure label="Tokens out" field="tokens-out" value={step.tokens_out} compact={compact}>
        {formatCount(step.tokens_out)}
      </Figure>
      <Figure label="Cost" field="cost" value={step.cost_usd} compact={compact}>
        {formatCost(step.cost_usd)}
      </Figure>
    </dl>
  );
}

interface FigureProps {
  label: string;
  field: string;
  value: string | number | null;
  compact: boolean;
  children: string;
}

function Figure({ label, field, value, compact, children }: FigureProps) {
  return (
    <div className="min-w-0">
      <dt className={compact ? "truncate text-slate-400" : "text-slate-400"}>
        {compact ? SHORT_LABELS[label] : label}
      </dt>
      <dd
        data-field={field}
        data-value={value ?? ""}
        className={classNames("truncate text-slate-100", compact ? "" : "font-medium")}
      >
        {children}
      </dd>
    </div>
  );
}

const SHORT_LABELS: Record<string, string> = {
  Latency: "Time",
  "Tokens in": "In",
  "Tokens out": "Out",
  Cost: "Cost",
};

/** The mean token probability as a bar; nothing when the provider gave none. */
export function ConfidenceMeter({ confidence }: { confidence: number | null }) {
  if (confidence === null) {
    return null;
  }
  const percent = Math.round(Math.min(1, Math.max(0, confidence)) * 100);
  const tone =
    confidence >= 0.8 ? "bg-emerald-400" : confidence >= 0.5 ? "bg-amber-300" : "bg-rose-400";
  return (
    <div className="flex items-center gap-2 text-[11px] text-slate-300">
      <span className="shrink-0">Confidence</span>
      <div
        role="meter"
        aria-label="Confidence"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={formatConfidence(confidence)}
        className="h-1.5 flex-1 overflow-hidden rounded-full bg-white/10"
      >
        <div className={classNames("h-full rounded-full", tone)} style={{ width: `${percent}%` }} />
      </div>
      <span data-field="confidence" data-value={confidence} className="tabular-nums">
        {formatConfidence(confidence)}
      </span>
    </div>
  );
}
