import type { Provider, ProviderKind } from "./hooks";

interface KindDescription {
  kind: ProviderKind;
  /** What the table and the form call it. */
  label: string;
  /** Whether the API refuses a provider of this kind without a key. */
  needsApiKey: boolean;
  /** Whether the API refuses a provider of this kind without a base URL. */
  needsBaseUrl: boolean;
  baseUrlPlaceholder: string;
  baseUrlDescription: string;
  apiKeyDescription: string;
  modelPlaceholder: string;
}

/** Every kind of provider, in the order the form offers them. */
export const PROVIDER_KINDS = [
  {
    kind: "anthropic",
    label: "Anthropic",
    needsApiKey: true,
    needsBaseUrl: false,
    baseUrlPlaceholder: "https://api.anthropic.com",
    baseUrlDescription: "Optional: a gateway or proxy to use in place of Anthropic's public API.",
    apiKeyDescription: "From the Anthropic console. Stored encrypted; Luna never shows it again.",
    modelPlaceholder: "claude-sonnet-4-6",
  },
  {
    kind: "openai",
    label: "OpenAI",
    needsApiKey: true,
    needsBaseUrl: false,
    baseUrlPlaceholder: "https://api.openai.com/v1",
    baseUrlDescription: "Optional: a gateway or proxy to use in place of OpenAI's public API.",
    apiKeyDescription: "From the OpenAI dashboard. Stored encrypted; Luna never shows it again.",
    modelPlaceholder: "gpt-4.1-mini",
  },
  {
    kind: "openai_compatible",
    label: "OpenAI-compatible server",
    needsApiKey: false,
    needsBaseUrl: true,
    baseUrlPlaceholder: "http://127.0.0.1:11434/v1",
    baseUrlDescription:
      "The server's OpenAI-compatible API: http://127.0.0.1:11434/v1 for Ollama, " +
      "http://127.0.0.1:8000/v1 for vLLM, http://127.0.0.1:1234/v1 for LM Studio.",
    apiKeyDescription:
      "Only if the server asks for one. Stored encrypted; Luna never shows it again.",
    modelPlaceholder: "llama3.2",
  },
] as const satisfies readonly KindDescription[];

// A kind added to the API and missing above fails the type check here.
type Unlisted = Exclude<ProviderKind, (typeof PROVIDER_KINDS)[number]["kind"]>;
export const everyKindListed: [Unlisted] extends [never] ? true : never = true;

export function kindDescription(kind: ProviderKind): KindDescription {
  return PROVIDER_KINDS.find((entry) => entry.kind === kind) ?? PROVIDER_KINDS[0];
}

export function isProviderKind(value: string): value is ProviderKind {
  return PROVIDER_KINDS.some((entry) => entry.kind === value);
}

/** How the table shows a provider's key: its last four characters, never more. */
export function keyHint(provider: Pick<Provider, "api_key_set" | "api_key_hint">): string {
  if (!provider.api_key_set) {
    return "no key";
  }
  return provider.api_key_hint ? `•••• ${provider.api_key_hint}` : "key set";
}
