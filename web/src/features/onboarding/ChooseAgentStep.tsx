import { useState } from "react";

import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { formErrors } from "../../lib/form-errors";
import { ApiProblem } from "../../api/client";
import { useCreateAgentFromCatalog } from "../agents/hooks";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { useCatalog, type CatalogAgent } from "../workspace/hooks";
import { useRecordOnboarding } from "./hooks";
import { useSingleFlight } from "../../lib/use-single-flight";

const WRITERS: readonly string[] = ["owner", "admin", "member"];

/** Step 1: a built-in agent of the team's plan becomes the workspace's first agent. */
export function ChooseAgentStep({ workspace, team }: CurrentWorkspace) {
  const catalog = useCatalog(team.plan);
  const create = useCreateAgentFromCatalog(workspace.id);
  const createOnce = useSingleFlight(create);
  const record = useRecordOnboarding(workspace.id);
  const [picked, setPicked] = useState<string | null>(null);
  const errors = formErrors(create.error ?? record.error, []);

  if (!WRITERS.includes(team.role)) {
    return (
      <Alert tone="info" title="Your role cannot create agents">
        As a {team.role} you can see this workspace&apos;s agents and runs. Ask an owner or admin of{" "}
        {team.name} to set it up, or skip this setup.
      </Alert>
    );
  }

  function choose(agent: CatalogAgent) {
    setPicked(agent.slug);
    createOnce(
      { template: agent.slug, name: "" },
      {
        onSuccess: (created) => {
          record.mutate({ agent_id: created.id });
        },
      },
    );
  }

  if (catalog.isPending) {
    return (
      <LoadingRegion label="Loading the agent catalog">
        <div className="grid gap-3 sm:grid-cols-2">
          {Array.from({ length: 4 }, (_, index) => (
            <Skeleton key={index} className="h-36" />
          ))}
        </div>
      </LoadingRegion>
    );
  }
  if (catalog.isError) {
    return (
      <ErrorState
        title="The agent catalog could not be loaded"
        message={catalog.error.message}
        requestId={catalog.error instanceof ApiProblem ? catalog.error.requestId : null}
        onRetry={() => void catalog.refetch()}
        retrying={catalog.isFetching}
      />
    );
  }
  const busy = create.isPending || record.isPending;
  return (
    <div className="space-y-4">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <ul className="grid gap-3 sm:grid-cols-2" aria-label="Built-in agents on your plan">
        {catalog.data.map((agent) => (
          <li key={agent.slug}>
            <Card className="flex h-full flex-col gap-2 p-4">
              <div className="flex items-start justify-between gap-3">
                <h3 className="font-medium text-white">{agent.name}</h3>
                <Badge tone="brand">{agent.category}</Badge>
              </div>
              <p className="text-sm text-slate-400">{agent.summary}</p>
              <Button
                variant="secondary"
                size="sm"
                className="mt-auto self-start"
                loading={busy && picked === agent.slug}
                disabled={busy}
                onClick={() => {
                  choose(agent);
                }}
              >
                Use this agent<span className="sr-only">: {agent.name}</span>
              </Button>
            </Card>
          </li>
        ))}
      </ul>
    </div>
  );
}
