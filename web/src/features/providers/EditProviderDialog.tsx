import { useEffect, useId, useState, type SubmitEvent } from "react";

import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import {
  useCheckProviderChanges,
  useUpdateProvider,
  type Provider,
  type ProviderChanges,
} from "./hooks";
import { kindDescription } from "./provider-kinds";
import { ProviderCheckResult } from "./ProviderCheckResult";

const FIELDS = ["name", "base_url", "api_key", "default_model"] as const;

/**
 * What the form changes of a provider: only the fields that differ from it; a blank key
 * keeps the stored one, a blank base URL or model clears it.
 */
export function providerChanges(form: FormData, provider: Provider): ProviderChanges {
  const changes: ProviderChanges = {};
  const name = textField(form, "name").trim();
  const baseUrl = textField(form, "base_url").trim() || null;
  const apiKey = textField(form, "api_key").trim();
  const model = textField(form, "default_model").trim() || null;
  if (name !== provider.name) {
    changes.name = name;
  }
  if (baseUrl !== provider.base_url) {
    changes.base_url = baseUrl;
  }
  if (apiKey) {
    changes.api_key = apiKey;
  }
  if (model !== provider.default_model) {
    changes.default_model = model;
  }
  return changes;
}

/** The part of the changes a connection check is about: where it goes, with which key. */
function connectionOf(changes: ProviderChanges): ProviderChanges {
  const connection: ProviderChanges = {};
  if ("base_url" in changes) {
    connection.base_url = changes.base_url;
  }
  if ("api_key" in changes) {
    connection.api_key = changes.api_key;
  }
  return connection;
}

interface EditProviderDialogProps {
  workspaceId: string;
  /** The provider being edited; null while the dialog is closed. */
  provider: Provider | null;
  onClose: () => void;
  onSaved: (provider: Provider) => void;
}

/** Edits a provider: its name, address, key and default model. */
export function EditProviderDialog({
  workspaceId,
  provider,
  onClose,
  onSaved,
}: EditProviderDialogProps) {
  return (
    <Dialog
      open={provider !== null}
      onClose={onClose}
      title={provider ? `Edit “${provider.name}”` : "Edit provider"}
      size="lg"
    >
      {provider && (
        <EditProviderForm
          key={provider.id}
          workspaceId={workspaceId}
          provider={provider}
          onCancel={onClose}
          onSaved={onSaved}
        />
      )}
    </Dialog>
  );
}

interface EditProviderFormProps {
  workspaceId: string;
  provider: Provider;
  onCancel: () => void;
  onSaved: (provider: Provider) => void;
}

/**
 * The form checks the connection before it saves a new address or key: saving then goes
 * on only once the provider answered, or when asked to save anyway. The default model is
 * picked from the models the provider lists (any other name may be typed).
 */
function EditProviderForm({ workspaceId, provider, onCancel, onSaved }: EditProviderFormProps) {
  const update = useUpdateProvider(workspaceId);
  const check = useCheckProviderChanges(workspaceId);
  const modelsId = useId();
  const described = kindDescription(provider.kind);
  // The connection the last check was about, as JSON, and whether to save despite it.
  const [checkedConnection, setCheckedConnection] = useState<string | null>(null);
  const [saveAnyway, setSaveAnyway] = useState(false);
  const errors = formErrors(update.error ?? check.error, FIELDS);
  const models = check.data?.models ?? [];

  // The stored settings are checked on opening, for the model picker.
  const { mutate: checkNow } = check;
  useEffect(() => {
    checkNow({ provider, changes: {} });
  }, [checkNow, provider]);

  function runCheck(changes: ProviderChanges, then?: () => void) {
    const connection = connectionOf(changes);
    check.mutate(
      { provider, changes: connection },
      {
        onSuccess: (outcome) => {
          setCheckedConnection(JSON.stringify(connection));
          setSaveAnyway(!outcome.ok);
          if (outcome.ok) {
            then?.();
          }
        },
      },
    );
  }

  function save(changes: ProviderChanges) {
    update.mutate(
      { provider, changes },
      {
        onSuccess: (saved) => {
          onSaved(saved);
        },
      },
    );
  }

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (update.isPending || check.isPending) {
      return;
    }
    const changes = providerChanges(new FormData(event.currentTarget), provider);
    const connection = connectionOf(changes);
    const checked = checkedConnection === JSON.stringify(connection);
    if (Object.keys(connection).length === 0 || (checked && (check.data?.ok || saveAnyway))) {
      save(changes);
      return;
    }
    runCheck(changes, () => {
      save(changes);
    });
  }

  return (
    <form onSubmit={submit} className="space-y-5" aria-busy={check.isPending || undefined}>
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <TextField
        label="Name"
        name="name"
        required
        maxLength={100}
        autoComplete="off"
        defaultValue={provider.name}
        error={errors.fields.name}
      />
      <TextField
        label={described.needsBaseUrl ? "Base URL" : "Base URL (optional)"}
        name="base_url"
        type="url"
        inputMode="url"
        required={described.needsBaseUrl}
        maxLength={500}
        autoComplete="off"
        spellCheck={false}
        defaultValue={provider.base_url ?? ""}
        placeholder={described.baseUrlPlaceholder}
        description="A new address needs the key again: a stored key is never sent elsewhere."
        error={errors.fields.base_url}
      />
      <TextField
        label="New API key"
        name="api_key"
        type="password"
        maxLength={1000}
        autoComplete="new-password"
        spellCheck={false}
        description={
          provider.api_key_set
            ? `Leave blank to keep the stored key${provider.api_key_hint ? ` (…${provider.api_key_hint})` : ""}.`
            : "This provider has no key."
        }
        error={errors.fields.api_key}
      />
      <TextField
        label="Default model"
        name="default_model"
        list={modelsId}
        maxLength={200}
        autoComplete="off"
        spellCheck={false}
        defaultValue={provider.default_model ?? ""}
        placeholder={described.modelPlaceholder}
        description={
          models.length > 0
            ? `Pick one of the ${String(models.length)} models it serves, or type a name.`
            : "The model agents that name none run on."
        }
        error={errors.fields.default_model}
      />
      <datalist id={modelsId} data-testid="provider-models">
        {models.map((model) => (
          <option key={model} value={model} />
        ))}
      </datalist>
      {check.data && checkedConnection !== null && (
        <ProviderCheckResult provider={provider} check={check.data} />
      )}
      <div className="flex flex-wrap justify-end gap-3">
        <Button variant="ghost" onClick={onCancel} disabled={update.isPending}>
          Cancel
        </Button>
        <Button
          variant="secondary"
          loading={check.isPending && checkedConnection !== null}
          onClick={(event) => {
            const form = event.currentTarget.form;
            if (form) {
              runCheck(providerChanges(new FormData(form), provider));
            }
          }}
        >
          Check connection
        </Button>
        <Button type="submit" loading={update.isPending}>
          {saveAnyway ? "Save anyway" : "Save"}
        </Button>
      </div>
    </form>
  );
}
