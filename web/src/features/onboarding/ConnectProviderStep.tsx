import { useState } from "react";
import { Link } from "react-router";

import { Alert } from "../../components/ui/Alert";
import { Button, buttonClasses } from "../../components/ui/Button";
import { FormAlert } from "../../components/ui/FormAlert";
import { Spinner } from "../../components/ui/Spinner";
import { formErrors } from "../../lib/form-errors";
import { failureMessage } from "../providers/check-outcome";
import { useCheckProvider, type Provider } from "../providers/hooks";
import { ProviderForm } from "../providers/ProviderForm";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { useRecordOnboarding } from "./hooks";

const MANAGERS: readonly string[] = ["owner", "admin"];

interface ConnectProviderStepProps extends CurrentWorkspace {
  /** Whether the workspace already has a provider (someone else may have connected it). */
  connected: boolean;
  onContinue: () => void;
}

/** Step 2: the model the agent runs on, from Anthropic, OpenAI or a server of your own. */
export function ConnectProviderStep({
  workspace,
  team,
  connected,
  onContinue,
}: ConnectProviderStepProps) {
  if (connected) {
    return (
      <div className="space-y-4">
        <Alert tone="success" title="This workspace has a model provider">
          Its default provider runs your agents. You can add others on the Providers page.
        </Alert>
        <Button onClick={onContinue}>Continue</Button>
      </div>
    );
  }
  if (!MANAGERS.includes(team.role)) {
    return (
      <Alert tone="info" title="An owner or admin connects providers">
        Providers hold the team&apos;s model API keys, so only owners and admins of {team.name} add
        them. Ask one of them to connect a provider, then come back to run your agent.
      </Alert>
    );
  }
  return <ConnectAndCheck workspaceId={workspace.id} />;
}

/**
 * The provider form, then a check that the provider answers before the step counts as
 * done: a wrong key or an unreachable server is said here, not at the first run.
 */
function ConnectAndCheck({ workspaceId }: { workspaceId: string }) {
  const record = useRecordOnboarding(workspaceId);
  const check = useCheckProvider(workspaceId);
  const [created, setCreated] = useState<Provider | null>(null);

  function checkThenRecord(provider: Provider) {
    check.mutate(provider, {
      onSuccess: (outcome) => {
        if (outcome.ok) {
          record.mutate({ provider_id: provider.id });
        }
      },
    });
  }

  if (created === null) {
    return (
      <ProviderForm
        workspaceId={workspaceId}
        onCreated={(provider) => {
          setCreated(provider);
          checkThenRecord(provider);
        }}
      />
    );
  }
  const failed = check.data?.ok === false ? check.data : null;
  const checkError = formErrors(check.error ?? record.error, []);
  return (
    <div className="space-y-4">
      {check.isPending || record.isPending ? (
        <p role="status" className="flex items-center gap-2 text-sm text-slate-300">
          <Spinner /> Checking that {created.name} answers…
        </p>
      ) : failed ? (
        <Alert tone="error" title={`${created.name} did not answer as expected`}>
          {failureMessage(failed)}. Check its address and key on the Providers page, then check
          again.
        </Alert>
      ) : (
        <FormAlert message={checkError.message} requestId={checkError.requestId} />
      )}
      {(failed !== null || check.isError || record.isError) && (
        <div className="flex flex-wrap gap-3">
          <Button
            onClick={() => {
              checkThenRecord(created);
            }}
          >
            Check again
          </Button>
          <Link to={`/w/${workspaceId}/providers`} className={buttonClasses("secondary")}>
            Open Providers
          </Link>
        </div>
      )}
    </div>
  );
}
