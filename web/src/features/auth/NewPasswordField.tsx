import type { ComponentProps } from "react";

import { TextField } from "../../components/ui/TextField";

/** What the API takes as a new password (`NewPassword` in src/luna/identity/schemas.py). */
export const NEW_PASSWORD_MIN_LENGTH = 10;
export const NEW_PASSWORD_MAX_LENGTH = 128;

type NewPasswordFieldProps = Omit<
  ComponentProps<typeof TextField>,
  "type" | "autoComplete" | "required" | "minLength" | "maxLength"
>;

/**
 * A password being chosen: the browser's password manager may offer a strong one, and the
 * browser checks the length the API takes before the form is sent.
 */
export function NewPasswordField(props: NewPasswordFieldProps) {
  return (
    <TextField
      type="password"
      autoComplete="new-password"
      required
      minLength={NEW_PASSWORD_MIN_LENGTH}
      maxLength={NEW_PASSWORD_MAX_LENGTH}
      {...props}
    />
  );
}
