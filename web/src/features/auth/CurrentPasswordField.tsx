import type { ComponentProps } from "react";

import { TextField } from "../../components/ui/TextField";

/** What the API takes as a password to check (`Password` in src/luna/identity/schemas.py). */
export const PASSWORD_MAX_LENGTH = 1024;

type CurrentPasswordFieldProps = Omit<
  ComponentProps<typeof TextField>,
  "type" | "autoComplete" | "required" | "maxLength" | "label" | "name"
> & { label?: string; name?: string };

/**
 * The account's password, typed to sign in or to confirm an action: the browser's password
 * manager may fill it in.
 */
export function CurrentPasswordField({
  label = "Your password",
  name = "password",
  ...props
}: CurrentPasswordFieldProps) {
  return (
    <TextField
      label={label}
      name={name}
      type="password"
      autoComplete="current-password"
      required
      maxLength={PASSWORD_MAX_LENGTH}
      {...props}
    />
  );
}
