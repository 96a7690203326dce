import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
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
  const record = useRecordOnboarding(workspace.id);
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
  return (
    <ProviderForm
      workspaceId={workspace.id}
      onCreated={(provider) => {
        record.mutate({ provider_id: provider.id });
      }}
    />
  );
}
