import { describe, expect, it } from "vitest";

import { fakeApi, page, problem } from "../test/fake-api";
import { ApiProblem, api, isSessionEnded, unwrap } from "./client";

describe("unwrap", () => {
  it("returns the data of a successful call, sent with the session cookie", async () => {
    const requests = fakeApi({ "GET /api/v1/me/sessions": page([]) });
    await expect(unwrap(api.GET("/api/v1/me/sessions"))).resolves.toEqual({
      items: [],
      next_cursor: null,
    });
    expect(requests[0]?.credentials).toBe("same-origin");
  });

  it("turns a problem document into an ApiProblem with field errors by field", async () => {
    fakeApi({
      "POST /api/v1/auth/signup": problem(
        422,
        "validation-failed",
        "The request has invalid fields; see errors.",
        {
          errors: [
            { in: "body", pointer: "#/email", message: "value is not a valid email address" },
            { in: "body", pointer: "#/password", message: "Password is too common." },
            { in: "body", pointer: "#/password", message: "a second message for the same field" },
          ],
        },
      ),
    });
    const error: unknown = await unwrap(
      api.POST("/api/v1/auth/signup", { body: { email: "x", password: "y", display_name: "z" } }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiProblem);
    const apiProblem = error as ApiProblem;
    expect(apiProblem.status).toBe(422);
    expect(apiProblem.code).toBe("validation-failed");
    expect(apiProblem.requestId).toBe("req_test");
    expect(apiProblem.fieldErrors()).toEqual({
      email: "value is not a valid email address",
      password: "Password is too common.",
    });
  });

  it("puts a problem about one named field next to it", async () => {
    fakeApi({
      "POST /api/v1/auth/signup": problem(
        409,
        "conflict",
        "An account with this email already exists.",
        {
          field: "email",
        },
      ),
    });
    const error = (await unwrap(
      api.POST("/api/v1/auth/signup", {
        body: { email: "a@b.co", password: "y", display_name: "z" },
      }),
    ).catch((caught: unknown) => caught)) as ApiProblem;
    expect(error.fieldErrors()).toEqual({ email: "An account with this email already exists." });
  });

  it("describes an answer that is not a problem document", async () => {
    fakeApi({
      "GET /api/v1/me": new Response("<html>Bad gateway</html>", {
        status: 502,
        statusText: "Bad Gateway",
      }),
    });
    const error = (await unwrap(api.GET("/api/v1/me")).catch(
      (caught: unknown) => caught,
    )) as ApiProblem;
    expect(error.status).toBe(502);
    expect(error.message).toContain("502 Bad Gateway");
  });

  it("reports an unreachable server as a network problem", async () => {
    fakeApi({});
    globalThis.fetch = () => Promise.reject(new TypeError("Failed to fetch"));
    const error = (await unwrap(api.GET("/api/v1/me")).catch(
      (caught: unknown) => caught,
    )) as ApiProblem;
    expect(error.code).toBe("network-error");
    expect(error.message).toMatch(/could not be reached/);
  });

  it("tells an ended session from other refusals", () => {
    const base = { title: "Unauthorized", status: 401, detail: "No session." };
    expect(
      isSessionEnded(new ApiProblem({ ...base, type: "urn:luna:problem:unauthenticated" })),
    ).toBe(true);
    expect(
      isSessionEnded(new ApiProblem({ ...base, type: "urn:luna:problem:mfa-step-up-required" })),
    ).toBe(false);
    expect(isSessionEnded(new Error("no"))).toBe(false);
  });
});
