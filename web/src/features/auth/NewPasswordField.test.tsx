import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { NewPasswordField } from "./NewPasswordField";

describe("NewPasswordField", () => {
  it("asks the browser for a new password of the length the API takes", () => {
    render(
      <NewPasswordField
        label="New password"
        name="new_password"
        description="10 to 128 characters."
        error="This password is too common; choose another."
      />,
    );
    const field = screen.getByLabelText("New password");
    expect(field).toHaveAttribute("type", "password");
    expect(field).toHaveAttribute("autocomplete", "new-password");
    expect(field).toBeRequired();
    expect(field).toHaveAttribute("minlength", "10");
    expect(field).toHaveAttribute("maxlength", "128");
    expect(field).toHaveAttribute("name", "new_password");
    expect(field).toHaveAccessibleDescription(
      "10 to 128 characters. This password is too common; choose another.",
    );
  });
});
