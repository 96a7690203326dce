import { vi } from "vitest";

export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters; a repeated one keeps its last value. */
  query: Record<string, string>;
  /** The whole query string, for repeated parameters. */
  search: URLSearchParams;
  /** The body parsed as JSON, or as sent when it is not JSON (a CSV file, say). */
  body: unknown;
  /** The request's `Content-Type`, when it has one. */
  contentType: string | null;
  credentials: RequestCredentials;
}

function parsedBody(text: string): unknown {
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

type Answer = Response | ((request: RecordedRequest) => Response);

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Response {
  return new Response(
    JSON.stringify({
      type: `urn:luna:problem:${code}`,
      title: "Problem",
      status,
      detail,
      request_id: "req_test",
      ...extra,
    }),
    { status, headers: { "Content-Type": "application/problem+json" } },
  );
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/**
 * Replaces `fetch` with answers keyed by "METHOD /path"; records every request. A request
 * nobody expected fails the test with a 599 naming it.
 */
export function fakeApi(answers: Record<string, Answer | Answer[]>) {
  const requests: RecordedRequest[] = [];
  const queues = new Map(
    Object.entries(answers).map(([key, value]) => [
      key,
      Array.isArray(value) ? [...value] : [value],
    ]),
  );
  vi.stubGlobal("fetch", async (input: Request) => {
    const url = new URL(input.url);
    const text = await input.text();
    const recorded: RecordedRequest = {
      method: input.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      search: url.searchParams,
      body: parsedBody(text),
      contentType: input.headers.get("Content-Type"),
      credentials: input.credentials,
    };
    requests.push(recorded);
    const queue = queues.get(`${input.method} ${url.pathname}`);
    const answer = queue && (queue.length > 1 ? queue.shift() : queue[0]);
    if (!answer) {
      return new Response(`unexpected ${input.method} ${url.pathname}`, { status: 599 });
    }
    return typeof answer === "function" ? answer(recorded) : answer.clone();
  });
  return requests;
}

/** A list endpoint's answer: every item on one page. */
export function page(items: unknown[]): Response {
  return json({ items, next_cursor: null });
}
