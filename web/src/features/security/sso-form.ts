/**
 * The single sign-on form's rules, mirroring the API's (src/luna/identity/sso_schemas.py)
 * so that mistakes show before a round trip; the server stays the judge.
 */
import type { SsoConfig, SsoConfigBody } from "./hooks";

export const SSO_ROLES = ["member", "viewer", "admin"] as const;
export type SsoRole = (typeof SSO_ROLES)[number];

/** The fields that show their own errors. */
export const SSO_FIELDS = [
  "issuer",
  "client_id",
  "client_secret",
  "allowed_domains",
  "default_role",
] as const;
export type SsoField = (typeof SSO_FIELDS)[number];

export interface SsoFormValues {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Email domains separated by commas, spaces or new lines. */
  allowedDomains: string;
  defaultRole: string;
  enabled: boolean;
  ssoRequired: boolean;
}

export type SsoFormResult =
  { ok: true; body: SsoConfigBody } | { ok: false; errors: Partial<Record<SsoField, string>> };

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1"]);
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const MAX_DOMAINS = 100;

export function isSsoRole(value: string): value is SsoRole {
  return (SSO_ROLES as readonly string[]).includes(value);
}

/** The form's values for a stored configuration, or for a new one. */
export function formValuesOf(config: SsoConfig | null): SsoFormValues {
  return {
    issuer: config?.issuer ?? "",
    clientId: config?.client_id ?? "",
    clientSecret: "",
    allowedDomains: config?.allowed_domains.join("\n") ?? "",
    defaultRole: config?.default_role ?? "member",
    enabled: config?.enabled ?? true,
    ssoRequired: config?.sso_required ?? false,
  };
}

/** The domains typed, as the API stores them: lower case, no leading @, each once. */
export function parseDomains(text: string): string[] {
  const domains = text
    .split(/[\s,;]+/)
    .map((domain) => domain.trim().toLowerCase().replace(/^@/, ""))
    .filter(Boolean);
  return [...new Set(domains)];
}

/** Why an issuer is refused, or null: https:// (http:// only on this machine), with no
 * credentials, query or fragment. */
export function issuerProblem(issuer: string): string | null {
  if (!issuer) {
    return "Enter the provider's issuer URL.";
  }
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return "Enter a URL such as https://login.example.com.";
  }
  const secure = url.protocol === "https:" && url.hostname !== "";
  const local = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if (!secure && !local) {
    return "Use an https:// URL (plain http:// only for localhost).";
  }
  if (url.username || url.password || issuer.includes("#")) {
    return "Leave out credentials and fragments (#…).";
  }
  if (url.search || issuer.includes("?")) {
    return "Leave out the query (?…): the issuer is a plain URL.";
  }
  return null;
}

function domainsProblem(domains: readonly string[]): string | null {
  const wrong = domains.find((domain) => !DOMAIN.test(domain));
  if (wrong !== undefined) {
    return `“${wrong}” is not an email domain such as example.com.`;
  }
  if (domains.length > MAX_DOMAINS) {
    return `List at most ${MAX_DOMAINS} domains.`;
  }
  return null;
}

/**
 * A secret is needed for a new configuration and whenever the issuer or client id
 * changes: a stored secret is never sent to a provider other than its own.
 */
export function secretRequired(values: SsoFormValues, config: SsoConfig | null): boolean {
  return (
    !config?.has_client_secret ||
    config.issuer !== values.issuer.trim() ||
    config.client_id !== values.clientId.trim()
  );
}

/** The request body of the form's values, or the errors to show by field. */
export function validateSsoForm(values: SsoFormValues, config: SsoConfig | null): SsoFormResult {
  const issuer = values.issuer.trim();
  const clientId = values.clientId.trim();
  const domains = parseDomains(values.allowedDomains);
  const errors: Partial<Record<SsoField, string>> = {};
  const issuerError = issuerProblem(issuer);
  if (issuerError) {
    errors.issuer = issuerError;
  }
  if (!clientId) {
    errors.client_id = "Enter the client id the provider gave you.";
  } else if (clientId.length > 255) {
    errors.client_id = "The client id is at most 255 characters.";
  }
  if (!values.clientSecret && secretRequired(values, config)) {
    errors.client_secret = config?.has_client_secret
      ? "The issuer or client id changed: enter the client secret again."
      : "Enter the client secret the provider gave you.";
  } else if (values.clientSecret.length > 1000) {
    errors.client_secret = "The client secret is at most 1000 characters.";
  }
  const domainsError = domainsProblem(domains);
  if (domainsError) {
    errors.allowed_domains = domainsError;
  }
  if (!isSsoRole(values.defaultRole)) {
    errors.default_role = "Choose a role.";
  }
  if (Object.keys(errors).length > 0 || !isSsoRole(values.defaultRole)) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    body: {
      issuer,
      client_id: clientId,
      ...(values.clientSecret ? { client_secret: values.clientSecret } : {}),
      allowed_domains: domains,
      default_role: values.defaultRole,
      enabled: values.enabled,
      sso_required: values.ssoRequired,
    },
  };
}
