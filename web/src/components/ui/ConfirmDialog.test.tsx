import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ConfirmDialog } from "./ConfirmDialog";
import { TextField } from "./TextField";

const noError = { message: null, requestId: null };

describe("ConfirmDialog", () => {
  it("asks before the action and hands over the fields it needs", async () => {
    const user = userEvent.setup();
    const onConfirm = vi.fn<(form: FormData) => void>();
    render(
      <ConfirmDialog
        title="Turn it off?"
        description="It stops at once."
        confirmLabel="Turn off"
        busy={false}
        error={noError}
        onClose={vi.fn()}
        onConfirm={onConfirm}
      >
        <TextField label="Your password" name="password" type="password" />
      </ConfirmDialog>,
    );

    const dialog = screen.getByRole("alertdialog", { name: "Turn it off?" });
    expect(dialog).toHaveAccessibleDescription("It stops at once.");
    await user.type(within(dialog).getByLabelText("Your password"), "correct horse");
    await user.click(within(dialog).getByRole("button", { name: "Turn off" }));

    expect(onConfirm).toHaveBeenCalledOnce();
    expect(onConfirm.mock.calls[0]?.[0].get("password")).toBe("correct horse");
  });

  it("goes back with its own words for it, and shows why the action failed", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    render(
      <ConfirmDialog
        title="Revoke the key?"
        description="Programs using it are refused."
        confirmLabel="Revoke key"
        cancelLabel="Keep the key"
        busy={false}
        error={{ message: "The key is already revoked.", requestId: "req_9" }}
        onClose={onClose}
        onConfirm={vi.fn()}
      />,
    );

    const dialog = screen.getByRole("alertdialog", { name: "Revoke the key?" });
    expect(within(dialog).getByRole("alert")).toHaveTextContent("The key is already revoked.");
    expect(within(dialog).getByRole("alert")).toHaveTextContent("req_9");
    await user.click(within(dialog).getByRole("button", { name: "Keep the key" }));
    expect(onClose).toHaveBeenCalledOnce();
  });

  it("holds both buttons and Escape while the action is in flight", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    render(
      <ConfirmDialog
        title="Leave the team?"
        description="You lose access."
        confirmLabel="Leave team"
        cancelLabel="Stay"
        busy
        error={noError}
        onClose={onClose}
        onConfirm={vi.fn()}
      />,
    );

    const dialog = screen.getByRole("alertdialog", { name: "Leave the team?" });
    expect(within(dialog).getByRole("button", { name: "Stay" })).toBeDisabled();
    expect(within(dialog).getByRole("button", { name: "Leave team" })).toBeDisabled();
    expect(within(dialog).getByRole("button", { name: "Leave team" })).toHaveAttribute(
      "aria-busy",
      "true",
    );
    await user.keyboard("{Escape}");
    expect(onClose).not.toHaveBeenCalled();
  });
});
