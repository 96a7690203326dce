import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";

export type Chain = Schemas["ChainDetail"];
export type ChainSummary = Schemas["ChainOut"];
export type ChainPreset = Schemas["ChainPresetOut"];
export type ChainRun = Schemas["ChainRunOut"];
export type ChainRunNode = Schemas["ChainRunNodeOut"];
export type ChainDefinition = Schemas["ChainDefinition"];

/** The states after which a chain run never changes again. */
export const FINISHED_CHAIN_RUN: ReadonlySet<string> = new Set([
  "succeeded",
  "partial",
  "failed",
  "cancelled",
]);

/** How often an open chain run is read again while it is under way. */
const LIVE_REFRESH_MS = 1000;

function chainsKey(workspaceId: string) {
  return ["workspaces", workspaceId, "chains"] as const;
}

export function useChains(workspaceId: string, cursor: string | null) {
  return useQuery({
    queryKey: [...chainsKey(workspaceId), "list", cursor] as const,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/chains", {
          params: {
            path: { workspace_id: workspaceId },
            query: { limit: 25, ...(cursor ? { cursor } : {}) },
          },
          signal,
        }),
      ),
  });
}

export function usePresets() {
  return useQuery({
    queryKey: ["chain-presets"] as const,
    staleTime: Infinity,
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/chain-presets", { signal })),
  });
}

export function useChain(workspaceId: string, chainId: string) {
  return useQuery({
    queryKey: [...chainsKey(workspaceId), chainId] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/chains/{chain_id}", {
          params: { path: { workspace_id: workspaceId, chain_id: chainId } },
          signal,
        }),
      ),
  });
}

/** Copies a preset into the workspace, with the catalog agents it needs. */
export function useCreateFromPreset(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (preset: string) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/chains", {
          params: { path: { workspace_id: workspaceId } },
          body: { preset },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["workspaces", workspaceId] }),
  });
}

export function useStartChainRun(workspaceId: string, chainId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ input, key }: { input: string; key: string }) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/chains/{chain_id}/runs", {
          params: {
            path: { workspace_id: workspaceId, chain_id: chainId },
            header: { "idempotency-key": key },
          },
          body: { input },
        }),
      ),
    onSettled: () =>
      queryClient.invalidateQueries({ queryKey: ["workspaces", workspaceId, "chain-runs"] }),
  });
}

export function useChainRuns(workspaceId: string, chainId: string) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "chain-runs", "list", chainId] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/chain-runs", {
          params: { path: { workspace_id: workspaceId }, query: { chain_id: chainId, limit: 10 } },
          signal,
        }),
      ),
  });
}

/** A chain run, read again every second while it is under way. */
export function useChainRun(workspaceId: string, chainRunId: string) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "chain-runs", chainRunId] as const,
    queryFn: ({ signal }): Promise<ChainRun> =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/chain-runs/{chain_run_id}", {
          params: { path: { workspace_id: workspaceId, chain_run_id: chainRunId } },
          signal,
        }),
      ),
    refetchInterval: (query) => {
      const run = query.state.data;
      return run && FINISHED_CHAIN_RUN.has(run.status) ? false : LIVE_REFRESH_MS;
    },
  });
}

export function useDecideNode(workspaceId: string, chainRunId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ nodeId, approved }: { nodeId: string; approved: boolean }) =>
      unwrap(
        api.POST(
          "/api/v1/workspaces/{workspace_id}/chain-runs/{chain_run_id}/nodes/{node_id}/decision",
          {
            params: {
              path: { workspace_id: workspaceId, chain_run_id: chainRunId, node_id: nodeId },
            },
            body: { approved },
          },
        ),
      ),
    onSuccess: (run) => {
      queryClient.setQueryData(["workspaces", workspaceId, "chain-runs", chainRunId], run);
    },
  });
}

export function useCancelChainRun(workspaceId: string, chainRunId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/chain-runs/{chain_run_id}/cancel", {
          params: { path: { workspace_id: workspaceId, chain_run_id: chainRunId } },
        }),
      ),
    onSuccess: (run) => {
      queryClient.setQueryData(["workspaces", workspaceId, "chain-runs", chainRunId], run);
    },
  });
}

/** Every agent of the workspace by id, to name the nodes of a chain. */
export function useAgentNames(workspaceId: string) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "agents", "names"] as const,
    queryFn: async ({ signal }) => {
      const page = await unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents", {
          params: { path: { workspace_id: workspaceId }, query: { status: "all", limit: 200 } },
          signal,
        }),
      );
      return new Map(page.items.map((agent) => [agent.id, agent.name]));
    },
  });
}

export type NewSwarm = Schemas["SwarmCreate"];

export function useCreateSwarm(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewSwarm) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/swarms", {
          params: { path: { workspace_id: workspaceId } },
          body,
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: chainsKey(workspaceId) }),
  });
}

/** The workspace's active agents by id (those a new chain or swarm may use). */
export function useActiveAgents(workspaceId: string) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "agents", "active-names"] as const,
    queryFn: async ({ signal }) => {
      const page = await unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents", {
          params: { path: { workspace_id: workspaceId }, query: { limit: 200 } },
          signal,
        }),
      );
      return new Map(page.items.map((agent) => [agent.id, agent.name]));
    },
  });
}

export type NewChain = Schemas["ChainCreate"];
export type ChainChange = Schemas["ChainUpdate"];

/** Saves a chain drawn in the editor: a new one, or a new version of one. */
export function useSaveChain(workspaceId: string, chainId: string | null) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewChain & ChainChange) =>
      chainId
        ? unwrap(
            api.PATCH("/api/v1/workspaces/{workspace_id}/chains/{chain_id}", {
              params: { path: { workspace_id: workspaceId, chain_id: chainId } },
              body: {
                name: body.name,
                description: body.description,
                definition: body.definition,
                expected_version: body.expected_version,
              },
            }),
          )
        : unwrap(
            api.POST("/api/v1/workspaces/{workspace_id}/chains", {
              params: { path: { workspace_id: workspaceId } },
              body: { name: body.name, description: body.description, definition: body.definition },
            }),
          ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: chainsKey(workspaceId) }),
  });
}
