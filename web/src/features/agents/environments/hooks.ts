import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { ApiProblem, api, unwrap, type Schemas } from "../../../api/client";
import { agentKey } from "../editor/hooks";

export type Environment = Schemas["EnvironmentOut"];

/** The environments that most agents have; any other lower-case name works too. */
export const SUGGESTED_ENVIRONMENTS = ["development", "staging", "production"] as const;

/** What a new environment's name must look like (the API's rule). */
export const ENVIRONMENT_NAME_PATTERN = "[a-z][a-z0-9\\-]{0,39}";

/** The agent's environments: what every change to one of them invalidates. */
export function environmentsKey(workspaceId: string, agentId: string) {
  return [...agentKey(workspaceId, agentId), "environments"] as const;
}

/** The agent's environments, by name (the API answers them all on one page). */
export function useEnvironments(workspaceId: string, agentId: string) {
  return useQuery({
    queryKey: environmentsKey(workspaceId, agentId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId } },
          signal,
        }),
      ),
    select: (page) => page.items,
  });
}

/** A mutation of one environment, after which the list is fetched again, whatever the answer. */
function useEnvironmentChange<Variables, Result>(
  workspaceId: string,
  agentId: string,
  change: (
    path: { workspace_id: string; agent_id: string },
    variables: Variables,
  ) => Promise<Result>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: Variables) =>
      change({ workspace_id: workspaceId, agent_id: agentId }, variables),
    onSettled: () =>
      queryClient.invalidateQueries({ queryKey: environmentsKey(workspaceId, agentId) }),
  });
}

/** Points an environment at a version, making it when new. */
export function useSetEnvironment(workspaceId: string, agentId: string) {
  return useEnvironmentChange(
    workspaceId,
    agentId,
    (path, { name, version }: { name: string; version: number }) =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments/{name}", {
          params: { path: { ...path, name } },
          body: { version },
        }),
      ),
  );
}

/** Points an environment at the version another one (`source`) runs. */
export function usePromoteEnvironment(workspaceId: string, agentId: string) {
  return useEnvironmentChange(
    workspaceId,
    agentId,
    (path, { name, source }: { name: string; source: string }) =>
      unwrap(
        api.POST(
          "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments/{name}/promote",
          { params: { path: { ...path, name } }, body: { source } },
        ),
      ),
  );
}

/** Points an environment back at the version it ran before its last change. */
export function useRollBackEnvironment(workspaceId: string, agentId: string) {
  return useEnvironmentChange(workspaceId, agentId, (path, name: string) =>
    unwrap(
      api.POST("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments/{name}/rollback", {
        params: { path: { ...path, name } },
      }),
    ),
  );
}

export function useDeleteEnvironment(workspaceId: string, agentId: string) {
  return useEnvironmentChange(workspaceId, agentId, (path, name: string) =>
    unwrap(
      api.DELETE("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments/{name}", {
        params: { path: { ...path, name } },
      }),
    ),
  );
}

/**
 * Gates an environment on one of the agent's suites (with an optional floor, 0 to 1), or
 * lifts the gate with `suiteId: null`.
 */
export function useGateEnvironment(workspaceId: string, agentId: string) {
  return useEnvironmentChange(
    workspaceId,
    agentId,
    (
      path,
      {
        name,
        suiteId,
        minPassRate,
      }: { name: string; suiteId: string | null; minPassRate: number | null },
    ) =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments/{name}/gate", {
          params: { path: { ...path, name } },
          body: { suite_id: suiteId, min_pass_rate: minPassRate },
        }),
      ),
  );
}

/** Sends `percent` of an environment's runs to another version, or ends it (`version: null`). */
export function useSplitEnvironment(workspaceId: string, agentId: string) {
  return useEnvironmentChange(
    workspaceId,
    agentId,
    (path, { name, version, percent }: { name: string; version: number | null; percent: number }) =>
      unwrap(
        api.PUT("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments/{name}/split", {
          params: { path: { ...path, name } },
          body: { version, percent },
        }),
      ),
  );
}

/** The gate's refusal of a version (409 `eval-gate-failed`): its verdict, or null. */
export function gateRefusal(error: unknown): string | null {
  return error instanceof ApiProblem && error.problem.reason === "eval-gate-failed"
    ? error.problem.detail
    : null;
}

export type SplitResults = Schemas["SplitResults"];
export type SplitArm = Schemas["SplitArm"];

/** Whether an environment sends a share of its runs to another version now. */
export function isSplit(environment: Environment): boolean {
  return (environment.split_version ?? null) !== null && environment.split_percent > 0;
}

/**
 * A split's results. The key names the split itself (its version, share and start), so that
 * a changed split is asked for afresh, and the list's refetch after a change (which may end
 * the split) does not ask for the results of a split that is no more.
 */
export function splitResultsKey(workspaceId: string, agentId: string, environment: Environment) {
  return [
    ...agentKey(workspaceId, agentId),
    "environment-split",
    environment.name,
    environment.split_version ?? null,
    environment.split_percent,
    environment.split_since ?? null,
  ] as const;
}

/** The two versions of an environment's traffic split side by side; asked only while it splits. */
export function useSplitResults(workspaceId: string, agentId: string, environment: Environment) {
  const { name } = environment;
  return useQuery({
    queryKey: splitResultsKey(workspaceId, agentId, environment),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/environments/{name}/split", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId, name } },
          signal,
        }),
      ),
    enabled: isSplit(environment),
  });
}

/** The API's answer for an environment without a split (409 `no-traffic-split`). */
export function isNoTrafficSplit(error: unknown): boolean {
  return error instanceof ApiProblem && error.problem.reason === "no-traffic-split";
}
