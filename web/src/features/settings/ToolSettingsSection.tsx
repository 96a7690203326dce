import type { SubmitEvent } from "react";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { formatDateTime } from "../../lib/dates";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { roleWithArticle } from "../members/permissions";
import { useSaveToolSettings, useToolSettings, type ToolSettings } from "./hooks";

/**
 * Changing where agents may reach is `manage` on the server (owners and admins:
 * src/luna/tools/routes.py); everyone in the team may read it.
 */
export function mayChangeToolSettings(role: string): boolean {
  return role === "owner" || role === "admin";
}

/** The hosts typed, one a line (or separated by commas or spaces), each once. */
export function parseHosts(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((host) => host.trim())
        .filter(Boolean),
    ),
  ];
}

const HOSTS_DESCRIPTION =
  "One a line: an exact host name or address (api.example.com), or *.example.com for every subdomain. Empty: agents cannot fetch from the web.";

function HostsForm({ workspaceId, settings }: { workspaceId: string; settings: ToolSettings }) {
  const save = useSaveToolSettings(workspaceId);
  const errors = formErrors(save.error, ["http_allowed_hosts"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const field = event.currentTarget.elements.namedItem("http_allowed_hosts");
    const hosts = parseHosts(textField(new FormData(event.currentTarget), "http_allowed_hosts"));
    save.mutate(
      { http_allowed_hosts: hosts },
      {
        onSuccess: (saved) => {
          // The hosts as the server stored them (lower case, without duplicates).
          if (field instanceof HTMLTextAreaElement) {
            field.value = saved.http_allowed_hosts.join("\n");
          }
        },
      },
    );
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      {save.isSuccess && <Alert tone="success">The tool settings are saved.</Alert>}
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <TextAreaField
        label="Hosts agents may fetch from"
        name="http_allowed_hosts"
        rows={5}
        spellCheck={false}
        autoComplete="off"
        placeholder={"api.github.com\n*.example.com"}
        defaultValue={settings.http_allowed_hosts.join("\n")}
        description={HOSTS_DESCRIPTION}
        error={errors.fields.http_allowed_hosts}
      />
      <div className="flex justify-end">
        <Button type="submit" loading={save.isPending}>
          Save tool settings
        </Button>
      </div>
    </form>
  );
}

function HostsList({ settings, role }: { settings: ToolSettings; role: string }) {
  const hosts = settings.http_allowed_hosts;
  return (
    <div className="space-y-3">
      <p className="text-sm text-slate-400">
        Only owners and admins change these; you are {roleWithArticle(role)}.
      </p>
      {hosts.length === 0 ? (
        <p className="text-sm text-slate-300">
          No hosts are allowed: agents cannot fetch from the web.
        </p>
      ) : (
        <ul aria-label="Hosts agents may fetch from" className="flex flex-wrap gap-2">
          {hosts.map((host) => (
            <li
              key={host}
              className="rounded-md bg-white/8 px-2 py-1 font-mono text-xs text-slate-200"
            >
              {host}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

interface ToolSettingsSectionProps {
  workspaceId: string;
  role: string;
}

/** Where the workspace's agents may reach with `http_fetch`. */
export function ToolSettingsSection({ workspaceId, role }: ToolSettingsSectionProps) {
  const settings = useToolSettings(workspaceId);
  if (settings.isPending) {
    return (
      <LoadingRegion label="Loading the tool settings">
        <Skeleton className="h-40 rounded-2xl" />
      </LoadingRegion>
    );
  }
  if (settings.isError) {
    return (
      <ErrorState
        title="The tool settings could not be loaded"
        message={settings.error.message}
        requestId={settings.error instanceof ApiProblem ? settings.error.requestId : null}
        onRetry={() => void settings.refetch()}
        retrying={settings.isFetching}
      />
    );
  }
  const { updated_at: updatedAt } = settings.data;
  return (
    <div className="space-y-3">
      {mayChangeToolSettings(role) ? (
        <HostsForm workspaceId={workspaceId} settings={settings.data} />
      ) : (
        <HostsList settings={settings.data} role={role} />
      )}
      <p className="text-xs text-slate-400">
        {updatedAt ? `Last changed ${formatDateTime(updatedAt)}.` : "Never changed."}
      </p>
    </div>
  );
}
