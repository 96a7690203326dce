import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";

export type KnowledgeDocument = Schemas["KnowledgeDocumentOut"];
export type KnowledgeHit = Schemas["KnowledgeHit"];
export type NewDocument = Schemas["KnowledgeDocumentCreate"];

function documentsKey(workspaceId: string) {
  return ["workspaces", workspaceId, "knowledge", "documents"] as const;
}

/** One page of the workspace's documents, newest first. */
export function useDocuments(workspaceId: string, cursor: string | null) {
  return useQuery({
    queryKey: [...documentsKey(workspaceId), cursor] as const,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/knowledge/documents", {
          params: {
            path: { workspace_id: workspaceId },
            query: { limit: 25, ...(cursor ? { cursor } : {}) },
          },
          signal,
        }),
      ),
  });
}

/** The documents best matching the words of `query`; nothing is asked for a blank one. */
export function useKnowledgeSearch(workspaceId: string, query: string) {
  return useQuery({
    queryKey: ["workspaces", workspaceId, "knowledge", "search", query] as const,
    enabled: query.trim() !== "",
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/knowledge/search", {
          params: { path: { workspace_id: workspaceId }, query: { q: query, limit: 10 } },
          signal,
        }),
      ),
  });
}

export function useUploadDocument(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewDocument) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/knowledge/documents", {
          params: { path: { workspace_id: workspaceId } },
          body,
        }),
      ),
    onSettled: () =>
      queryClient.invalidateQueries({ queryKey: ["workspaces", workspaceId, "knowledge"] }),
  });
}

export function useDeleteDocument(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (document: KnowledgeDocument) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/knowledge/documents/{document_id}", {
          params: { path: { workspace_id: workspaceId, document_id: document.id } },
        }),
      ),
    onSuccess: () =>
      queryClient.invalidateQueries({ queryKey: ["workspaces", workspaceId, "knowledge"] }),
  });
}
