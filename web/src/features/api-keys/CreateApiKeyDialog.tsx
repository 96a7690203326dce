import { useId, useState } from "react";

import { ApiProblem, type Schemas } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { CheckboxField } from "../../components/ui/CheckboxField";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { FieldErrorMessage, TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { CreatedApiKey } from "./CreatedApiKey";
import { EXPIRY_CHOICES, expiresAt, tomorrow, type ExpiryChoice } from "./expiry";
import { useCreateApiKey, useStepUp } from "./hooks";
import { SCOPES, isScope } from "./scopes";
import { useExclusiveSubmit } from "../../lib/use-single-flight";

const DEFAULT_SCOPES = new Set<string>(["agents:read", "runs:read", "runs:write"]);

interface CreateApiKeyDialogProps {
  workspaceId: string;
  open: boolean;
  onClose: () => void;
}

/** Create a key (name, scopes, expiry), then show its secret once. */
export function CreateApiKeyDialog({ open, ...props }: CreateApiKeyDialogProps) {
  // Mounted only while open: every opening starts with an empty form.
  return open ? <CreateApiKeyFlow {...props} /> : null;
}

function CreateApiKeyFlow({ workspaceId, onClose }: Omit<CreateApiKeyDialogProps, "open">) {
  const create = useCreateApiKey(workspaceId);
  const stepUp = useStepUp();
  const [expiry, setExpiry] = useState<ExpiryChoice>("never");
  const [missingScopes, setMissingScopes] = useState(false);
  const scopesErrorId = useId();
  const busy = create.isPending || stepUp.isPending;
  const stepUpDemand =
    create.error instanceof ApiProblem && create.error.code === "mfa-step-up-required"
      ? create.error
      : null;
  const needsStepUp = stepUpDemand !== null;
  const errors = formErrors(needsStepUp ? null : create.error, ["name", "scopes", "expires_at"]);
  const stepUpErrors = formErrors(stepUp.error, ["code"]);

  const submit = useExclusiveSubmit(async (formElement: HTMLFormElement) => {
    const form = new FormData(formElement);
    const scopes = form.getAll("scopes").map(String).filter(isScope);
    setMissingScopes(scopes.length === 0);
    if (scopes.length === 0) {
      return;
    }
    const body: Schemas["ApiKeyCreate"] = {
      name: textField(form, "name"),
      scopes,
      expires_at: expiresAt(expiry, textField(form, "expiry_date")),
    };
    if (needsStepUp) {
      try {
        await stepUp.mutateAsync({ code: textField(form, "code").trim() });
      } catch {
        return; // shown next to the code field
      }
    }
    await create.mutateAsync(body).catch(() => undefined); // shown in the form
  });

  const created = create.data;
  return (
    <Dialog
      open
      onClose={onClose}
      title={created ? "Copy your new API key" : "Create an API key"}
      description={
        created ? undefined : "Programs use a key to call Luna's API on behalf of this workspace."
      }
      dismissible={!busy}
      size="lg"
    >
      {created ? (
        <CreatedApiKey apiKey={created} onDone={onClose} />
      ) : (
        <form onSubmit={submit} className="space-y-5">
          <FormAlert message={errors.message} requestId={errors.requestId} />
          <TextField
            label="Name"
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            description="Where the key is used, so you recognise it later: “CI pipeline”, “billing service”."
            error={errors.fields.name}
          />
          <fieldset
            className="space-y-1"
            aria-describedby={missingScopes || errors.fields.scopes ? scopesErrorId : undefined}
          >
            <legend className="mb-1.5 text-sm font-medium text-slate-200">Scopes</legend>
            {SCOPES.map(({ scope, label, description }) => (
              <CheckboxField
                key={scope}
                name="scopes"
                value={scope}
                label={`${label} (${scope})`}
                description={description}
                defaultChecked={DEFAULT_SCOPES.has(scope)}
              />
            ))}
            {(missingScopes || errors.fields.scopes) && (
              <FieldErrorMessage id={scopesErrorId}>
                {missingScopes ? "Choose at least one scope." : (errors.fields.scopes ?? "")}
              </FieldErrorMessage>
            )}
          </fieldset>
          <div className="grid gap-4 sm:grid-cols-2">
            <SelectField
              label="Expires"
              value={expiry}
              onChange={(event) => {
                setExpiry(event.target.value as ExpiryChoice);
              }}
              error={expiry === "date" ? undefined : errors.fields.expires_at}
            >
              {EXPIRY_CHOICES.map((choice) => (
                <option key={choice.value} value={choice.value}>
                  {choice.label}
                </option>
              ))}
            </SelectField>
            {expiry === "date" && (
              <TextField
                label="Expiry date"
                name="expiry_date"
                type="date"
                required
                min={tomorrow()}
                description="The key stops working at the end of this day."
                error={errors.fields.expires_at}
              />
            )}
          </div>
          {stepUpDemand && (
            <div className="space-y-3 rounded-xl border border-amber-300/25 bg-amber-400/6 p-4">
              <Alert tone="warning">{stepUpDemand.message}</Alert>
              <FormAlert message={stepUpErrors.fields.code ? null : stepUpErrors.message} />
              <TextField
                label="Authentication code"
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                required
                error={stepUpErrors.fields.code}
              />
            </div>
          )}
          <div className="flex justify-end gap-3">
            <Button variant="ghost" onClick={onClose} disabled={busy}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              {needsStepUp ? "Verify and create key" : "Create key"}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
