import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import { agentKey } from "../agents/editor/hooks";

export type Suite = Schemas["SuiteOut"];
export type SuiteDetail = Schemas["SuiteDetail"];
export type EvalCase = Schemas["CaseOut"];
export type NewCase = Schemas["CaseIn"];
export type CaseFromRun = Schemas["CaseFromRun"];
export type CaseChecks = Schemas["CaseChecks-Output"];
export type NewCaseChecks = Schemas["CaseChecks-Input"];
export type ToolOrder = CaseChecks["tool_order"];
export type EvalRun = Schemas["EvalRunOut"];
export type EvalRunDetail = Schemas["EvalRunDetail"];
export type EvalRunStatus = EvalRun["status"];
export type EvalTarget = Schemas["EvalTargetOut"];
export type EvalTargetChoice = Schemas["EvalTargetIn"];
export type EvalResult = Schemas["EvalResultOut"];
export type EvalComparison = Schemas["EvalComparison"];
export type CaseComparison = Schemas["CaseComparison"];
export type CaseCheck = Schemas["CheckOut"];

/** How often a queued or running eval run (or a list holding one) is read again. */
const LIVE_REFRESH_MS = 2000;

/** How many eval runs of a suite the page lists: the latest. */
export const EVAL_RUNS_SHOWN = 25;

/** Whether an eval run is still under way (its figures change). */
export function isLive(run: Pick<EvalRun, "status">): boolean {
  return run.status === "queued" || run.status === "running";
}

/** Everything about the agent's evaluations: what a change to a suite invalidates. */
function evalsKey(workspaceId: string, agentId: string) {
  return [...agentKey(workspaceId, agentId), "evals"] as const;
}

function suitesKey(workspaceId: string, agentId: string) {
  return [...evalsKey(workspaceId, agentId), "suites"] as const;
}

function suiteKey(workspaceId: string, agentId: string, suiteId: string) {
  return [...suitesKey(workspaceId, agentId), suiteId] as const;
}

function evalRunsKey(workspaceId: string, agentId: string) {
  return [...evalsKey(workspaceId, agentId), "runs"] as const;
}

function evalRunKey(workspaceId: string, agentId: string, evalRunId: string) {
  return [...evalRunsKey(workspaceId, agentId), evalRunId] as const;
}

/** The agent's suites, oldest first (the API answers up to 200, more than an agent has). */
export function useSuites(workspaceId: string, agentId: string, { enabled = true } = {}) {
  return useQuery({
    queryKey: [...suitesKey(workspaceId, agentId), "list"] as const,
    enabled,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites", {
          params: {
            path: { workspace_id: workspaceId, agent_id: agentId },
            query: { limit: 200 },
          },
          signal,
        }),
      ),
    select: (page) => page.items,
  });
}

/** A suite with its cases, in order; nothing while `suiteId` is null. */
export function useSuite(workspaceId: string, agentId: string, suiteId: string | null) {
  return useQuery({
    queryKey: suiteKey(workspaceId, agentId, suiteId ?? ""),
    enabled: suiteId !== null,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites/{suite_id}", {
          params: {
            path: { workspace_id: workspaceId, agent_id: agentId, suite_id: suiteId ?? "" },
          },
          signal,
        }),
      ),
  });
}

/**
 * A change to a suite or its cases: the suite the API answers (when it answers one) is
 * kept, and the list (case counts, revisions) is fetched again.
 */
function useSuiteChange<Variables, Result>(
  workspaceId: string,
  agentId: string,
  change: (
    path: { workspace_id: string; agent_id: string },
    variables: Variables,
  ) => Promise<Result>,
  suiteOf: (result: Result) => SuiteDetail | null = () => null,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (variables: Variables) =>
      change({ workspace_id: workspaceId, agent_id: agentId }, variables),
    onSettled: (result) => {
      const suite = result === undefined ? null : suiteOf(result);
      if (suite) {
        queryClient.setQueryData(suiteKey(workspaceId, agentId, suite.id), suite);
      }
      // The list, and the suite too unless the API answered it.
      return queryClient.invalidateQueries({
        queryKey: suite
          ? [...suitesKey(workspaceId, agentId), "list"]
          : suitesKey(workspaceId, agentId),
      });
    },
  });
}

export function useCreateSuite(workspaceId: string, agentId: string) {
  return useSuiteChange(
    workspaceId,
    agentId,
    (path, body: { name: string; description: string }) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites", {
          params: { path },
          body,
        }),
      ),
    (suite) => suite,
  );
}

/** Deletes a suite with its cases and eval runs (a gate that named it is lifted). */
export function useDeleteSuite(workspaceId: string, agentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (suiteId: string) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites/{suite_id}", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId, suite_id: suiteId } },
        }),
      ),
    onSuccess: (_, suiteId) => {
      queryClient.removeQueries({ queryKey: suiteKey(workspaceId, agentId, suiteId) });
    },
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: suitesKey(workspaceId, agentId) }),
        // A gate that named the suite is lifted.
        queryClient.invalidateQueries({
          queryKey: [...agentKey(workspaceId, agentId), "environments"],
        }),
      ]),
  });
}

/** Appends a case to the suite (a new revision). */
export function useAddCase(workspaceId: string, agentId: string, suiteId: string) {
  return useSuiteChange(
    workspaceId,
    agentId,
    (path, body: NewCase) =>
      unwrap(
        api.POST(
          "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites/{suite_id}/cases",
          { params: { path: { ...path, suite_id: suiteId } }, body: [body] },
        ),
      ),
    (suite) => suite,
  );
}

/** Replaces a case's input and checks (a new revision). */
export function useReplaceCase(workspaceId: string, agentId: string, suiteId: string) {
  return useSuiteChange(workspaceId, agentId, (path, { id, body }: { id: string; body: NewCase }) =>
    unwrap(
      api.PUT(
        "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites/{suite_id}/cases/{case_id}",
        { params: { path: { ...path, suite_id: suiteId, case_id: id } }, body },
      ),
    ),
  );
}

export function useDeleteCase(workspaceId: string, agentId: string, suiteId: string) {
  return useSuiteChange(workspaceId, agentId, (path, caseId: string) =>
    unwrap(
      api.DELETE(
        "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites/{suite_id}/cases/{case_id}",
        { params: { path: { ...path, suite_id: suiteId, case_id: caseId } } },
      ),
    ),
  );
}

/** The media types the import takes, by what the file holds. */
export type ImportFormat = "text/csv" | "application/x-ndjson";

/** What a file holds, by its name: JSON Lines for `.jsonl` and `.ndjson`, CSV otherwise. */
export function importFormatOf(fileName: string): ImportFormat {
  return /\.(jsonl|ndjson)$/i.test(fileName) ? "application/x-ndjson" : "text/csv";
}

/**
 * Appends the cases of a CSV or JSON Lines file. The file goes as it is, with its media
 * type; a bad line is refused (422) with its number, and nothing is added.
 */
export function useImportCases(workspaceId: string, agentId: string, suiteId: string) {
  return useSuiteChange(
    workspaceId,
    agentId,
    (path, { text, format }: { text: string; format: ImportFormat }) =>
      unwrap(
        api.POST(
          "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites/{suite_id}/import",
          {
            params: { path: { ...path, suite_id: suiteId } },
            body: text,
            bodySerializer: (body: string) => body,
            headers: { "Content-Type": format },
          },
        ),
      ),
  );
}

/**
 * Appends a succeeded run of the agent to a suite as a case (a new revision): its input,
 * with its answer as the expected output and its tool calls as the required ones when
 * asked. Refused with 422 (`#/run_id`) for a run of another agent or one that did not
 * succeed, and with 409 `too-many-cases` when the suite is full.
 */
export function useAddCaseFromRun(workspaceId: string, agentId: string) {
  return useSuiteChange(
    workspaceId,
    agentId,
    (path, { suiteId, body }: { suiteId: string; body: CaseFromRun }) =>
      unwrap(
        api.POST(
          "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-suites/{suite_id}/from-run",
          { params: { path: { ...path, suite_id: suiteId } }, body },
        ),
      ),
  );
}

/** The suite's latest eval runs, newest first, read again while one is under way. */
export function useEvalRuns(workspaceId: string, agentId: string, suiteId: string | null) {
  return useQuery({
    queryKey: [...evalRunsKey(workspaceId, agentId), "list", suiteId] as const,
    enabled: suiteId !== null,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-runs", {
          params: {
            path: { workspace_id: workspaceId, agent_id: agentId },
            query: { limit: EVAL_RUNS_SHOWN, ...(suiteId ? { suite_id: suiteId } : {}) },
          },
          signal,
        }),
      ),
    refetchInterval: (query) => (query.state.data?.items.some(isLive) ? LIVE_REFRESH_MS : false),
  });
}

/** An eval run with every case's result, read again while it is under way. */
export function useEvalRun(workspaceId: string, agentId: string, evalRunId: string) {
  return useQuery({
    queryKey: evalRunKey(workspaceId, agentId, evalRunId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-runs/{eval_run_id}", {
          params: {
            path: { workspace_id: workspaceId, agent_id: agentId, eval_run_id: evalRunId },
          },
          signal,
        }),
      ),
    refetchInterval: (query) => {
      const run = query.state.data;
      return run && !isLive(run) ? false : LIVE_REFRESH_MS;
    },
  });
}

/**
 * The two targets of an eval run case by case; only for a run with two targets, read
 * again with the run while it is under way and once more when its status changes (the
 * last cases are judged just before it finishes).
 */
export function useEvalComparison(
  workspaceId: string,
  agentId: string,
  evalRunId: string,
  { enabled, live, status }: { enabled: boolean; live: boolean; status: string | undefined },
) {
  return useQuery({
    queryKey: [...evalRunKey(workspaceId, agentId, evalRunId), "comparison", status] as const,
    enabled,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET(
          "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-runs/{eval_run_id}/comparison",
          {
            params: {
              path: { workspace_id: workspaceId, agent_id: agentId, eval_run_id: evalRunId },
            },
            signal,
          },
        ),
      ),
    refetchInterval: live ? LIVE_REFRESH_MS : false,
  });
}

/** Starts an eval run of a suite against one target, or two side by side. */
export function useStartEvalRun(workspaceId: string, agentId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { suite_id: string; targets: EvalTargetChoice[] }) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-runs", {
          params: { path: { workspace_id: workspaceId, agent_id: agentId } },
          body,
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: evalRunsKey(workspaceId, agentId) }),
  });
}

/** Stops an eval run and its case runs under way; 409 once it has finished. */
export function useCancelEvalRun(workspaceId: string, agentId: string, evalRunId: string) {
  const queryClient = useQueryClient();
  const key = evalRunKey(workspaceId, agentId, evalRunId);
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST(
          "/api/v1/workspaces/{workspace_id}/agents/{agent_id}/eval-runs/{eval_run_id}/cancel",
          {
            params: {
              path: { workspace_id: workspaceId, agent_id: agentId, eval_run_id: evalRunId },
            },
          },
        ),
      ),
    onSuccess: (run) => {
      // The answer has no results: keep those shown until the run is read again.
      queryClient.setQueryData<EvalRunDetail>(key, (shown) => shown && { ...shown, ...run });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: evalRunsKey(workspaceId, agentId) }),
  });
}
