import type { UseMutationResult } from "@tanstack/react-query";
import { useState, type SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { formErrors } from "../../lib/form-errors";
import { useSingleFlight } from "../../lib/use-single-flight";

interface NameFormProps {
  label: string;
  /** The name as it is. */
  current: string;
  maxLength: number;
  /** The request field the server names in its errors. */
  field: string;
  save: UseMutationResult<unknown, Error, string>;
  /** False for a reader who may not change it: the field shows the name, read-only. */
  canChange?: boolean;
}

/** One name, changed in place: saved on submit, "Saved" once the server has it. */
export function NameForm({
  label,
  current,
  maxLength,
  field,
  save,
  canChange = true,
}: NameFormProps) {
  const [name, setName] = useState(current);
  const saveOnce = useSingleFlight(save);
  const errors = formErrors(save.error, [field]);
  // Saved once the server has it, even before the page's copy of the name catches up.
  const saved = save.isSuccess && save.variables === name.trim();
  const unchanged = name.trim() === current || saved;

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!unchanged && name.trim() !== "") {
      saveOnce(name.trim());
    }
  }

  return (
    <form onSubmit={submit} className="space-y-3" aria-label={`Change the ${label.toLowerCase()}`}>
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <TextField
          label={label}
          className="flex-1"
          value={name}
          required
          maxLength={maxLength}
          readOnly={!canChange}
          error={errors.fields[field]}
          onChange={(event) => {
            setName(event.target.value);
            save.reset();
          }}
        />
        {canChange && (
          <Button type="submit" variant="secondary" loading={save.isPending} disabled={unchanged}>
            Save
          </Button>
        )}
      </div>
      <p role="status" className="text-sm text-emerald-300">
        {saved ? "Saved." : ""}
      </p>
    </form>
  );
}
