import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import { agentsKey } from "../agents/hooks";
import { runsKey } from "../runs/hooks";

export type Onboarding = Schemas["OnboardingOut"];
export type OnboardingStep = Schemas["OnboardingStepOut"]["key"];
export type OnboardingChange = Schemas["OnboardingUpdate"];
export type Run = Schemas["RunOut"];

/** The wizard's steps in order, with what each is called. */
export const ONBOARDING_STEPS: { key: OnboardingStep; title: string }[] = [
  { key: "agent", title: "Choose an agent" },
  { key: "provider", title: "Connect a model" },
  { key: "run", title: "Run it" },
];

export function isOnboardingStep(value: string | null): value is OnboardingStep {
  return ONBOARDING_STEPS.some((step) => step.key === value);
}

function onboardingKey(workspaceId: string) {
  return ["workspaces", workspaceId, "onboarding"] as const;
}

export function onboardingQuery(workspaceId: string) {
  return queryOptions({
    queryKey: onboardingKey(workspaceId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/onboarding", {
          params: { path: { workspace_id: workspaceId } },
          signal,
        }),
      ),
  });
}

/** Where the signed-in person stands in the workspace's guided first steps. */
export function useOnboarding(workspaceId: string, enabled = true) {
  return useQuery({ ...onboardingQuery(workspaceId), enabled });
}

/** Records a finished step (or skipping the wizard); the answer is the new progress. */
export function useRecordOnboarding(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: OnboardingChange) =>
      unwrap(
        api.PATCH("/api/v1/workspaces/{workspace_id}/onboarding", {
          params: { path: { workspace_id: workspaceId } },
          body: change,
        }),
      ),
    onSuccess: (progress) => queryClient.setQueryData(onboardingKey(workspaceId), progress),
  });
}

/** Whether the wizard should still be offered. */
export function isOnboardingOpen(progress: Onboarding): boolean {
  return progress.completed_at === null && !progress.dismissed;
}

export function agentQuery(workspaceId: string, agentId: string) {
  return queryOptions({
    queryKey: [...agentsKey(workspaceId), "detail", agentId] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId } },
          signal,
        }),
      ),
  });
}

/** Starts a run of an agent in the background, on a text or an object input. */
export function useStartRun(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({
      agentId,
      input,
    }: {
      agentId: string;
      input: string | Record<string, unknown>;
    }): Promise<Run> => {
      const started = await unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/runs", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId } },
          body: { input, mode: "background" },
        }),
      );
      if (typeof started === "string" || "event" in started) {
        throw new Error("The run started as a stream; a run in the background was expected.");
      }
      return started;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: runsKey(workspaceId) }),
  });
}

const FINISHED: readonly string[] = ["succeeded", "failed", "cancelled"];

export function isFinished(run: Run): boolean {
  return FINISHED.includes(run.status);
}

/** One run, asked again every second until it has finished. */
export function useWatchedRun(workspaceId: string, runId: string, enabled = true) {
  return useQuery({
    enabled,
    queryKey: [...runsKey(workspaceId), "detail", runId] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/runs/{run_id}", {
          params: { path: { workspace_id: workspaceId, run_id: runId } },
          signal,
        }),
      ),
    refetchInterval: (query) => (query.state.data && isFinished(query.state.data) ? false : 1000),
  });
}
