import { type SubmitEvent } from "react";
import { useNavigate } from "react-router";

import { Button } from "../../components/ui/Button";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useSingleFlight } from "../../lib/use-single-flight";
import { PlanLimitOrFormAlert, planLimitOf } from "../agents/PlanLimitAlert";
import { useCreateWorkspace } from "./hooks";

interface NewWorkspaceFormProps {
  teamId: string;
  teamName: string;
  /** The workspace the page is in, for the plan's link. */
  workspaceId: string;
}

/** Adds a workspace to the team and opens it; the plan's limit shows with a way past it. */
export function NewWorkspaceForm({ teamId, teamName, workspaceId }: NewWorkspaceFormProps) {
  const create = useCreateWorkspace();
  const createOnce = useSingleFlight(create);
  const navigate = useNavigate();
  const errors = formErrors(create.error, ["name"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = textField(new FormData(event.currentTarget), "name").trim();
    createOnce(
      { team_id: teamId, name },
      {
        onSuccess: (workspace) => {
          void navigate(`/w/${workspace.id}`);
        },
      },
    );
  }

  return (
    <form onSubmit={submit} className="space-y-3">
      <PlanLimitOrFormAlert
        planLimit={planLimitOf(create.error)}
        error={errors}
        workspaceId={workspaceId}
      />
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <TextField
          label={`New workspace in ${teamName}`}
          name="name"
          required
          maxLength={100}
          autoComplete="off"
          placeholder="Staging"
          className="sm:flex-1"
          error={errors.fields.name}
        />
        <Button type="submit" loading={create.isPending} className="sm:mt-6">
          Create workspace
        </Button>
      </div>
    </form>
  );
}
