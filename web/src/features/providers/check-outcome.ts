import type { ProviderCheck } from "./hooks";

const count = new Intl.NumberFormat();
const seconds = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** How many model ids a check's outcome names before it says "and N more". */
const MODELS_NAMED = 8;

/** "120 ms", "2.4 s". */
export function formatLatency(ms: number): string {
  return ms < 1000 ? `${count.format(Math.round(ms))} ms` : `${seconds.format(ms / 1000)} s`;
}

/** "llama3.2, qwen3 and 4 more", from the models a provider serves. */
export function modelsSummary(models: readonly string[]): string {
  if (models.length <= MODELS_NAMED) {
    return models.join(", ");
  }
  const rest = models.length - MODELS_NAMED;
  return `${models.slice(0, MODELS_NAMED).join(", ")} and ${rest} more`;
}

/** What a failed check says: the provider's reason, with the HTTP status it answered. */
export function failureMessage(check: ProviderCheck): string {
  const error = check.error;
  if (!error) {
    return "The provider did not answer as expected.";
  }
  return error.status === null ? error.message : `${error.message} (HTTP ${error.status})`;
}
