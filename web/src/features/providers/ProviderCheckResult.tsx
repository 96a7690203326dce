import { Alert } from "../../components/ui/Alert";
import { failureMessage, formatLatency, modelsSummary } from "./check-outcome";
import type { Provider, ProviderCheck } from "./hooks";

interface ProviderCheckResultProps {
  provider: Provider;
  check: ProviderCheck;
  className?: string;
}

/** The outcome of probing a provider: how fast it answered and what it serves, or why not. */
export function ProviderCheckResult({ provider, check, className }: ProviderCheckResultProps) {
  const latency = formatLatency(check.latency_ms);
  if (!check.ok) {
    return (
      <Alert
        tone="error"
        title={`“${provider.name}” failed its check after ${latency}`}
        className={className}
      >
        {failureMessage(check)}
      </Alert>
    );
  }
  const models = check.models.length;
  return (
    <Alert tone="success" title={`“${provider.name}” answered in ${latency}`} className={className}>
      {models === 0
        ? "It lists no models."
        : `It serves ${models === 1 ? "1 model" : `${models} models`}: ${modelsSummary(check.models)}.`}
    </Alert>
  );
}
