import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ConcurrentChangeAlert } from "./ConcurrentChangeAlert";

describe("ConcurrentChangeAlert", () => {
  it("says what happened to the edits and reloads the agent on demand", async () => {
    const user = userEvent.setup();
    const onReload = vi.fn();
    render(
      <ConcurrentChangeAlert reloading={false} onReload={onReload}>
        Someone saved a version since you started this draft.
      </ConcurrentChangeAlert>,
    );
    const alert = screen.getByRole("status");
    expect(alert).toHaveTextContent("This agent was changed by someone else");
    expect(alert).toHaveTextContent("Someone saved a version since you started this draft.");
    await user.click(screen.getByRole("button", { name: "Reload the agent" }));
    expect(onReload).toHaveBeenCalledOnce();
  });

  it("holds the button while reloading, and says why a reload failed", () => {
    render(
      <ConcurrentChangeAlert reloading onReload={vi.fn()} reloadError="The server is unavailable.">
        Someone saved a change since you opened it.
      </ConcurrentChangeAlert>,
    );
    expect(screen.getByRole("button", { name: "Reload the agent" })).toBeDisabled();
    expect(screen.getByRole("status")).toHaveTextContent("The server is unavailable.");
  });
});
