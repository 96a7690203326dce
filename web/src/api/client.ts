/**
 * The typed client of Luna's API. The types come from `schema.d.ts`, generated from the
 * OpenAPI document (`npm run api:generate`); this file only wires the base URL, the cookie
 * session and the translation of RFC 9457 problems into `ApiProblem` errors.
 */
import createClient from "openapi-fetch";

import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

const PROBLEM_TYPE_PREFIX = "urn:luna:problem:";

/** The problem codes the web app branches on (the `type` without its prefix). */
export type ProblemCode =
  | "unauthenticated"
  | "mfa-step-up-required"
  | "mfa-code-invalid"
  | "validation-failed"
  | "conflict"
  | "not-found"
  | "forbidden"
  | "account-locked"
  | "rate-limited"
  | "network-error"
  | (string & {});

/**
 * The browser sends the session cookie with same-origin requests only; writes carry JSON
 * and the browser's `Origin` header, which the API's CSRF check requires.
 */
export const api = createClient<paths>({
  baseUrl: globalThis.location.origin,
  credentials: "same-origin",
  // Looked up on every call, so that tests can replace `fetch`.
  fetch: (request) => globalThis.fetch(request),
});

/** An error answer from the API, or a failure to reach it, as a problem document. */
export class ApiProblem extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail);
    this.name = "ApiProblem";
    this.problem = problem;
  }

  get status(): number {
    return this.problem.status;
  }

  /** The problem's code, such as `validation-failed` (its `type` without the prefix). */
  get code(): ProblemCode {
    const type = this.problem.type;
    return type.startsWith(PROBLEM_TYPE_PREFIX) ? type.slice(PROBLEM_TYPE_PREFIX.length) : type;
  }

  get requestId(): string | null {
    return this.problem.request_id ?? null;
  }

  /**
   * One message per request-body field, keyed by the field's top-level name: `#/email`
   * gives `email`, `#/scopes/0` gives `scopes`. A problem naming a single `field` (such as
   * a duplicate email) puts its `detail` there.
   */
  fieldErrors(): Record<string, string> {
    const messages: Record<string, string> = {};
    for (const error of this.problem.errors ?? []) {
      const field = error.pointer?.replace(/^#\//, "").split("/")[0] ?? error.name;
      if (field && !(field in messages)) {
        messages[field] = error.message;
      }
    }
    const single = this.problem.field;
    if (typeof single === "string" && !(single in messages)) {
      messages[single] = this.problem.detail;
    }
    return messages;
  }
}

/** Whether an error means the browser has no usable session any more. */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof ApiProblem && error.code === "unauthenticated";
}

function isProblem(body: unknown): body is Problem {
  if (typeof body !== "object" || body === null) {
    return false;
  }
  const candidate = body as Record<string, unknown>;
  return (
    typeof candidate.type === "string" &&
    typeof candidate.status === "number" &&
    typeof candidate.detail === "string"
  );
}

function problemOf(body: unknown, response: Response): Problem {
  if (isProblem(body)) {
    return body;
  }
  const title = response.statusText || "Error";
  return {
    type: "about:blank",
    title,
    status: response.status,
    detail: `The server answered ${response.status} ${title}. Please try again.`,
    request_id: response.headers.get("X-Request-ID"),
  };
}

const networkProblem: Problem = {
  type: PROBLEM_TYPE_PREFIX + "network-error",
  title: "Network error",
  status: 0,
  detail: "Luna could not be reached. Check your connection and try again.",
};

interface ApiResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * The data of a successful call, or an `ApiProblem`:
 * `const me = await unwrap(api.GET("/api/v1/me"))`.
 */
export async function unwrap<T>(pending: Promise<ApiResult<T>>): Promise<T> {
  let result: ApiResult<T>;
  try {
    result = await pending;
  } catch (error) {
    if (error instanceof TypeError) {
      throw new ApiProblem(networkProblem);
    }
    throw error;
  }
  if (!result.response.ok) {
    throw new ApiProblem(problemOf(result.error, result.response));
  }
  return result.data as T;
}
