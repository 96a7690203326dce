import { useState, type SubmitEvent } from "react";
import { flushSync } from "react-dom";

import { Button } from "../../components/ui/Button";
import { CheckboxField } from "../../components/ui/CheckboxField";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { planLimitOf } from "../agents/PlanLimitAlert";
import { roleLabel } from "../members/permissions";
import { useSaveSsoConfig, type SsoConfig } from "./hooks";
import {
  SSO_FIELDS,
  SSO_ROLES,
  formValuesOf,
  validateSsoForm,
  type SsoField,
  type SsoFormValues,
} from "./sso-form";
import { SsoUpgradeAlert } from "./SsoUpgradeAlert";
import { useStepUpGate } from "./step-up";
import { StepUpFields } from "./StepUpFields";

function valuesFromForm(form: FormData): SsoFormValues {
  return {
    issuer: textField(form, "issuer"),
    clientId: textField(form, "client_id"),
    clientSecret: textField(form, "client_secret"),
    allowedDomains: textField(form, "allowed_domains"),
    defaultRole: textField(form, "default_role"),
    enabled: form.get("enabled") === "on",
    ssoRequired: form.get("sso_required") === "on",
  };
}

interface SsoFormProps {
  teamId: string;
  workspaceId: string;
  config: SsoConfig | null;
  upgradePlan: string | null;
  onSaved: (config: SsoConfig) => void;
}

/** The team's OpenID Connect provider: checked here first, then by the server. */
export function SsoForm({ teamId, workspaceId, config, upgradePlan, onSaved }: SsoFormProps) {
  const save = useSaveSsoConfig(teamId);
  const gate = useStepUpGate(save.error);
  const [invalid, setInvalid] = useState<Partial<Record<SsoField, string>> | null>(null);
  const planLimit = planLimitOf(save.error);
  const serverErrors = formErrors(gate.demand || planLimit ? null : save.error, SSO_FIELDS);
  const fieldErrors = invalid ?? serverErrors.fields;
  const initial = formValuesOf(config);
  const busy = save.isPending || gate.stepUp.isPending;

  async function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const result = validateSsoForm(valuesFromForm(form), config);
    if (!result.ok) {
      flushSync(() => {
        setInvalid(result.errors);
      });
      formElement.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
      return;
    }
    setInvalid(null);
    if (await gate.proveIfAsked(form)) {
      save.mutate(result.body, { onSuccess: onSaved });
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} noValidate className="space-y-5">
      {planLimit && (
        <SsoUpgradeAlert
          message={planLimit.message}
          workspaceId={workspaceId}
          upgradePlan={planLimit.upgradePlan ?? upgradePlan}
        />
      )}
      <FormAlert
        message={invalid ? "Please correct the highlighted fields." : serverErrors.message}
        requestId={invalid ? null : serverErrors.requestId}
      />
      <TextField
        label="Issuer URL"
        name="issuer"
        type="url"
        inputMode="url"
        required
        maxLength={500}
        autoComplete="off"
        spellCheck={false}
        placeholder="https://login.example.com"
        defaultValue={initial.issuer}
        description="The provider's issuer identifier, exactly as it gives it. Luna reads its discovery document when you save."
        error={fieldErrors.issuer}
      />
      <div className="grid gap-5 sm:grid-cols-2">
        <TextField
          label="Client ID"
          name="client_id"
          required
          maxLength={255}
          autoComplete="off"
          spellCheck={false}
          defaultValue={initial.clientId}
          error={fieldErrors.client_id}
        />
        <TextField
          label="Client secret"
          name="client_secret"
          type="password"
          required={!config?.has_client_secret}
          maxLength={1000}
          autoComplete="new-password"
          spellCheck={false}
          description={
            config?.has_client_secret
              ? "Stored and never shown. Leave blank to keep it; a new issuer or client ID needs it again."
              : "Stored encrypted and never shown again."
          }
          error={fieldErrors.client_secret}
        />
      </div>
      <TextAreaField
        label="Allowed email domains"
        name="allowed_domains"
        rows={3}
        spellCheck={false}
        placeholder={"example.com\nexample.org"}
        defaultValue={initial.allowedDomains}
        description="One a line. People with a verified address at these domains join the team when they first sign in. Empty: anyone the provider vouches for."
        error={fieldErrors.allowed_domains}
      />
      <SelectField
        label="Role of people who join this way"
        name="default_role"
        defaultValue={initial.defaultRole}
        className="sm:w-72"
        error={fieldErrors.default_role}
      >
        {SSO_ROLES.map((role) => (
          <option key={role} value={role}>
            {roleLabel(role)}
          </option>
        ))}
      </SelectField>
      <div className="space-y-1">
        <CheckboxField
          label="Enabled"
          name="enabled"
          defaultChecked={initial.enabled}
          description="Members may sign in with the provider."
        />
        <CheckboxField
          label="Require single sign-on"
          name="sso_required"
          defaultChecked={initial.ssoRequired}
          description="While enabled, members can no longer sign in with a password."
        />
      </div>
      <StepUpFields gate={gate} />
      <div className="flex justify-end">
        <Button type="submit" loading={busy}>
          {config ? "Save changes" : "Save single sign-on"}
        </Button>
      </div>
    </form>
  );
}
