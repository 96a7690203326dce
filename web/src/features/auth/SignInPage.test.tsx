import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeApi, json, problem } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderPage } from "../../test/render";
import { SignInPage } from "./SignInPage";

function renderSignIn(url = "/sign-in") {
  return renderPage(<SignInPage />, {
    path: "/sign-in",
    url,
    otherRoutes: [{ path: "/w/:workspaceId/*", element: <p>Workspace home</p> }],
  });
}

async function submitPassword(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Email"), "ada@example.com");
  await user.type(screen.getByLabelText("Password"), "correct horse battery staple");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("SignInPage", () => {
  it("signs in and opens the first workspace", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({ "POST /api/v1/auth/login": json({ mfa_required: false, me }) });
    const { router } = renderSignIn();
    await submitPassword(user);
    expect(await screen.findByText("Workspace home")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_1");
    expect(requests[0]?.body).toEqual({
      email: "ada@example.com",
      password: "correct horse battery staple",
    });
  });

  it("shows the API's field errors next to their fields", async () => {
    const user = userEvent.setup();
    fakeApi({
      "POST /api/v1/auth/login": problem(
        422,
        "validation-failed",
        "The request has invalid fields; see errors.",
        {
          errors: [
            {
              in: "body",
              pointer: "#/password",
              message: "String should have at most 1024 characters",
            },
          ],
        },
      ),
    });
    renderSignIn();
    await submitPassword(user);
    const password = screen.getByLabelText("Password");
    expect(
      await screen.findByText("String should have at most 1024 characters"),
    ).toBeInTheDocument();
    expect(password).toHaveAttribute("aria-invalid", "true");
    expect(password).toHaveAccessibleDescription("String should have at most 1024 characters");
    expect(screen.getByLabelText("Email")).not.toHaveAttribute("aria-invalid");
    expect(screen.getByRole("alert")).toHaveTextContent("Please correct the highlighted fields.");
  });

  it("shows a refusal's detail and request id", async () => {
    const user = userEvent.setup();
    fakeApi({
      "POST /api/v1/auth/login": problem(
        401,
        "unauthenticated",
        "The email or password is not right.",
      ),
    });
    renderSignIn();
    await submitPassword(user);
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("The email or password is not right.");
    expect(alert).toHaveTextContent("req_test");
  });

  it("asks for the second factor when the account has two-factor authentication", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      "POST /api/v1/auth/login": json({ mfa_required: true }),
      "POST /api/v1/auth/mfa/verify": [
        problem(401, "mfa-code-invalid", "The code is wrong or was already used."),
        json(me),
      ],
    });
    const { router } = renderSignIn("/sign-in?next=%2Fw%2Fws_1%2Fapi-keys");
    await submitPassword(user);

    expect(
      await screen.findByRole("heading", { name: "Two-factor authentication" }),
    ).toBeInTheDocument();
    const code = screen.getByLabelText("Authentication code");
    await user.type(code, "000000{Enter}");
    expect(await screen.findByText("The code is wrong or was already used.")).toBeInTheDocument();
    expect(code).toHaveAttribute("aria-invalid", "true");

    await user.clear(code);
    await user.type(code, "123456{Enter}");
    expect(await screen.findByText("Workspace home")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_1/api-keys");
    expect(
      requests.filter((request) => request.path === "/api/v1/auth/mfa/verify").map((r) => r.body),
    ).toEqual([{ code: "000000" }, { code: "123456" }]);
  });

  it("says so plainly when the server has no second-factor endpoint", async () => {
    const user = userEvent.setup();
    fakeApi({
      "POST /api/v1/auth/login": json({ mfa_required: true }),
      "POST /api/v1/auth/mfa/verify": problem(404, "not-found", "Not Found"),
      "POST /api/v1/auth/logout": new Response(null, { status: 204 }),
    });
    renderSignIn();
    await submitPassword(user);
    await user.type(await screen.findByLabelText("Authentication code"), "123456{Enter}");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "does not support two-factor sign-in",
    );
    await user.click(screen.getByRole("button", { name: "Start over" }));
    expect(await screen.findByRole("heading", { name: "Sign in to Luna" })).toBeInTheDocument();
  });

  it("never follows a next address off the site", async () => {
    const user = userEvent.setup();
    fakeApi({ "POST /api/v1/auth/login": json({ mfa_required: false, me }) });
    const { router } = renderSignIn("/sign-in?next=%2F%2Fevil.example%2Fsteal");
    await submitPassword(user);
    await screen.findByText("Workspace home");
    expect(router.state.location.pathname).toBe("/w/ws_1");
  });
});
