import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ApiProblem } from "../../../api/client";
import { AgentLoadError } from "./AgentLoadError";

function problem(status: number, code: string, detail: string) {
  return new ApiProblem({
    type: `urn:luna:problem:${code}`,
    title: "Failed",
    status,
    detail,
    request_id: "req_3",
  });
}

describe("AgentLoadError", () => {
  it("says the agent does not exist when the API cannot find it", () => {
    render(
      <AgentLoadError
        error={problem(404, "not-found", "No agent agt_9.")}
        onRetry={vi.fn()}
        retrying={false}
      />,
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("This agent does not exist");
    expect(alert).toHaveTextContent("No agent agt_9.");
    expect(alert).toHaveTextContent("req_3");
  });

  it("says loading failed otherwise, and tries again on demand", async () => {
    const user = userEvent.setup();
    const onRetry = vi.fn();
    render(
      <AgentLoadError error={new Error("Network down.")} onRetry={onRetry} retrying={false} />,
    );
    const alert = screen.getByRole("alert");
    expect(alert).toHaveTextContent("The agent could not be loaded");
    expect(alert).toHaveTextContent("Network down.");
    await user.click(screen.getByRole("button", { name: /try again/i }));
    expect(onRetry).toHaveBeenCalledOnce();
  });
});
