import type { ReactNode } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Button, buttonClasses } from "../../components/ui/Button";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { ChooseAgentStep } from "./ChooseAgentStep";
import { ConnectProviderStep } from "./ConnectProviderStep";
import { FirstRunStep } from "./FirstRunStep";
import {
  isOnboardingStep,
  ONBOARDING_STEPS,
  useOnboarding,
  useRecordOnboarding,
  useWatchedRun,
  type Onboarding,
  type OnboardingStep,
  type Run,
} from "./hooks";
import { RunResult } from "./RunResult";
import { StepList } from "./StepList";

const INTRODUCTIONS: Record<OnboardingStep, string> = {
  agent:
    "Pick one of Luna's built-in agents. It becomes your workspace's first agent, yours to edit.",
  provider:
    "Agents think with a model you choose: Claude, OpenAI, or any OpenAI-compatible server, on-device ones included. Your key is stored encrypted.",
  run: "Give your agent something to do and watch it answer.",
};

/** The step on screen: the one the address names, else the first one not done. */
function shownStep(progress: Onboarding, requested: string | null): OnboardingStep | null {
  return isOnboardingStep(requested) ? requested : progress.current_step;
}

/** The guided first steps of a workspace: an agent, a model, a first run. Resumable. */
export function OnboardingPage() {
  const current = useCurrentWorkspace();
  const { workspace } = current;
  const progress = useOnboarding(workspace.id);
  const firstRunId = progress.data?.run_id ?? "";
  const firstRun = useWatchedRun(workspace.id, firstRunId, firstRunId !== "");
  const runFailed = firstRun.data?.status === "failed";
  const record = useRecordOnboarding(workspace.id);
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const home = `/w/${workspace.id}`;

  function skip() {
    if (current.team.role === "viewer") {
      void navigate(home); // a viewer's progress is not recorded
      return;
    }
    record.mutate({ dismissed: true }, { onSuccess: () => void navigate(home) });
  }

  let content: ReactNode;
  let step: OnboardingStep | null = null;
  if (progress.isPending) {
    content = (
      <LoadingRegion label="Loading your setup">
        <Skeleton className="h-20" />
        <Skeleton className="mt-6 h-64" />
      </LoadingRegion>
    );
  } else if (progress.isError) {
    content = (
      <ErrorState
        title="Your setup could not be loaded"
        message={progress.error.message}
        requestId={progress.error instanceof ApiProblem ? progress.error.requestId : null}
        onRetry={() => void progress.refetch()}
        retrying={progress.isFetching}
      />
    );
  } else {
    step = shownStep(progress.data, params.get("step"));
    const stepDone = progress.data.steps.find((candidate) => candidate.key === "provider");
    const body: Record<OnboardingStep, () => ReactNode> = {
      agent: () => <ChooseAgentStep {...current} />,
      provider: () => (
        <ConnectProviderStep
          {...current}
          connected={stepDone?.done === true}
          onContinue={() => {
            setParams({});
          }}
        />
      ),
      run: () =>
        progress.data.agent_id ? (
          <FirstRunStep workspaceId={workspace.id} agentId={progress.data.agent_id} />
        ) : (
          <Button
            onClick={() => {
              setParams({ step: "agent" });
            }}
          >
            Choose an agent first
          </Button>
        ),
    };
    const title = ONBOARDING_STEPS.find((candidate) => candidate.key === step)?.title;
    content = (
      <div className="space-y-8">
        <StepList progress={progress.data} shown={step} runFailed={runFailed} />
        {step ? (
          <section aria-labelledby="step-heading" className="space-y-4">
            <div>
              <h2 id="step-heading" className="text-lg font-semibold text-white">
                {title}
              </h2>
              <p className="text-sm text-slate-400">{INTRODUCTIONS[step]}</p>
            </div>
            {body[step]()}
          </section>
        ) : (
          <Finished
            workspaceId={workspace.id}
            progress={progress.data}
            failure={firstRun.data?.status === "failed" ? firstRun.data : null}
            onRunAgain={() => {
              setParams({ step: "run" });
            }}
          />
        )}
      </div>
    );
  }

  return (
    <>
      <title>{`Get started · ${workspace.name} · Luna`}</title>
      <PageHeader
        title="Get started with Luna"
        description="Three steps to your first agent run: about five minutes."
        actions={
          step !== null && (
            <Button variant="ghost" onClick={skip} loading={record.isPending}>
              Skip setup
            </Button>
          )
        }
      />
      {content}
    </>
  );
}

interface FinishedProps {
  workspaceId: string;
  progress: Onboarding;
  /** The first run, when it failed: the setup is not over until the agent answers. */
  failure: Run | null;
  onRunAgain: () => void;
}

function Finished({ workspaceId, progress, failure, onRunAgain }: FinishedProps) {
  const navigate = useNavigate();
  const providerAtFault = failure?.error?.code.startsWith("provider") === true;
  return (
    <section aria-labelledby="finished-heading" className="space-y-6">
      <div>
        <h2 id="finished-heading" className="text-lg font-semibold text-white">
          {failure ? "Your first run failed" : "You're set up"}
        </h2>
        <p className="text-sm text-slate-400">
          {failure
            ? providerAtFault
              ? "The model provider refused or did not answer. Check its address and key, then run the agent again."
              : "Read why below, then run the agent again."
            : "Your agent has run. Edit it, run it from the API with a key, or invite your team."}
        </p>
      </div>
      {progress.run_id && <RunResult workspaceId={workspaceId} runId={progress.run_id} />}
      {failure && (
        <div className="flex flex-wrap gap-3">
          <Button onClick={onRunAgain}>Run it again</Button>
          {providerAtFault && (
            <Link to={`/w/${workspaceId}/providers`} className={buttonClasses("secondary")}>
              Open Providers
            </Link>
          )}
        </div>
      )}
      <div className="flex flex-wrap gap-3">
        <Button onClick={() => void navigate(`/w/${workspaceId}/agents`)}>Go to your agents</Button>
        <Button variant="secondary" onClick={() => void navigate(`/w/${workspaceId}`)}>
          Workspace home
        </Button>
      </div>
    </section>
  );
}
