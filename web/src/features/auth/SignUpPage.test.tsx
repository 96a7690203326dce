import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { fakeApi, json, problem } from "../../test/fake-api";
import { me } from "../../test/fixtures";
import { renderPage } from "../../test/render";
import { SignUpPage } from "./SignUpPage";

function renderSignUp(url = "/sign-up") {
  return renderPage(<SignUpPage />, {
    path: "/sign-up",
    url,
    otherRoutes: [{ path: "/w/:workspaceId/*", element: <p>Welcome aboard</p> }],
  });
}

async function fillIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Your name"), "Ada Lovelace");
  await user.type(screen.getByLabelText("Email"), "ada@example.com");
  await user.type(screen.getByLabelText("Password"), "correct horse battery staple");
}

describe("SignUpPage", () => {
  it("sends one sign-up for a double click and goes on to onboarding", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({ "POST /api/v1/auth/signup": json(me, 201) });
    renderSignUp();
    await fillIn(user);
    const button = screen.getByRole("button", { name: "Create account" });

    // Two clicks before React re-renders the button, as a quick double click lands.
    fireEvent.click(button);
    fireEvent.click(button);

    expect(await screen.findByText("Welcome aboard")).toBeInTheDocument();
    expect(requests.filter((request) => request.path === "/api/v1/auth/signup")).toHaveLength(1);
  });

  it("carries the plan chosen on the pricing page to the billing page", async () => {
    const user = userEvent.setup();
    fakeApi({ "POST /api/v1/auth/signup": json(me, 201) });
    const { router } = renderSignUp("/sign-up?plan=growth");
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("Welcome aboard")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/w/ws_1/billing");
    expect(router.state.location.search).toBe("?plan=growth");
  });

  it("recovers from a refusal: the error shows and the form can be sent again", async () => {
    const user = userEvent.setup();
    const requests = fakeApi({
      "POST /api/v1/auth/signup": [
        problem(409, "conflict", "An account with this email address exists."),
        json(me, 201),
      ],
    });
    renderSignUp();
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "An account with this email address exists.",
    );

    const button = screen.getByRole("button", { name: "Create account" });
    await waitFor(() => {
      expect(button).toBeEnabled();
    });
    await user.click(button);
    expect(await screen.findByText("Welcome aboard")).toBeInTheDocument();
    expect(requests.filter((request) => request.path === "/api/v1/auth/signup")).toHaveLength(2);
  });
});
