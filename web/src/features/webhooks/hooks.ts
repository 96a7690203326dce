import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";

export type Endpoint = Schemas["WebhookEndpointOut"];
export type CreatedEndpoint = Schemas["WebhookEndpointCreated"];
export type NewEndpoint = Schemas["WebhookEndpointCreate"];
export type EventType = NewEndpoint["event_types"][number];
export type Delivery = Schemas["WebhookDeliveryOut"];

function endpointsKey(workspaceId: string) {
  return ["workspaces", workspaceId, "webhooks"] as const;
}

function deliveriesKey(workspaceId: string, endpointId: string) {
  return [...endpointsKey(workspaceId), endpointId, "deliveries"] as const;
}

export function useEndpoints(workspaceId: string, cursor: string | null) {
  return useQuery({
    queryKey: [...endpointsKey(workspaceId), "list", cursor] as const,
    placeholderData: keepPreviousData,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/webhooks", {
          params: {
            path: { workspace_id: workspaceId },
            query: { limit: 25, ...(cursor ? { cursor } : {}) },
          },
          signal,
        }),
      ),
  });
}

/** The endpoint's latest deliveries, looked at again every two seconds while any is pending. */
export function useDeliveries(workspaceId: string, endpointId: string) {
  return useQuery({
    queryKey: deliveriesKey(workspaceId, endpointId),
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/workspaces/{workspace_id}/webhooks/{endpoint_id}/deliveries", {
          params: {
            path: { workspace_id: workspaceId, endpoint_id: endpointId },
            query: { limit: 20 },
          },
          signal,
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.items.some((delivery) => delivery.status === "pending") ? 2000 : false,
  });
}

export function useCreateEndpoint(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewEndpoint) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/webhooks", {
          params: { path: { workspace_id: workspaceId } },
          body,
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: endpointsKey(workspaceId) }),
  });
}

/** Turns an endpoint off or back on. */
export function useSetEnabled(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) =>
      unwrap(
        api.PATCH("/api/v1/workspaces/{workspace_id}/webhooks/{endpoint_id}", {
          params: { path: { workspace_id: workspaceId, endpoint_id: id } },
          body: { enabled },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: endpointsKey(workspaceId) }),
  });
}

export function useRotateSecret(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/webhooks/{endpoint_id}/rotate-secret", {
          params: { path: { workspace_id: workspaceId, endpoint_id: id } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: endpointsKey(workspaceId) }),
  });
}

export function useDeleteEndpoint(workspaceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.DELETE("/api/v1/workspaces/{workspace_id}/webhooks/{endpoint_id}", {
          params: { path: { workspace_id: workspaceId, endpoint_id: id } },
        }),
      ),
    onSettled: () => queryClient.invalidateQueries({ queryKey: endpointsKey(workspaceId) }),
  });
}

export function useSendTest(workspaceId: string, endpointId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/workspaces/{workspace_id}/webhooks/{endpoint_id}/test", {
          params: { path: { workspace_id: workspaceId, endpoint_id: endpointId } },
        }),
      ),
    onSettled: () =>
      queryClient.invalidateQueries({ queryKey: deliveriesKey(workspaceId, endpointId) }),
  });
}

export function useRedeliver(workspaceId: string, endpointId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST(
          "/api/v1/workspaces/{workspace_id}/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver",
          {
            params: {
              path: {
                workspace_id: workspaceId,
                endpoint_id: endpointId,
                delivery_id: deliveryId,
              },
            },
          },
        ),
      ),
    onSettled: () =>
      queryClient.invalidateQueries({ queryKey: deliveriesKey(workspaceId, endpointId) }),
  });
}
