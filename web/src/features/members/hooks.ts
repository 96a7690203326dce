import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import { billingQuery } from "../billing/hooks";

export type Member = Schemas["MemberOut"];
export type Invitation = Schemas["InvitationOut"];
export type RolesTable = Schemas["RolesOut"];

export function membersQuery(teamId: string) {
  return queryOptions({
    queryKey: ["teams", teamId, "members"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/teams/{team_id}/members", {
          params: { path: { team_id: teamId } },
          signal,
        }),
      ).then((page) => page.items),
  });
}

export function invitationsQuery(teamId: string) {
  return queryOptions({
    queryKey: ["teams", teamId, "invitations"] as const,
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/teams/{team_id}/invitations", {
          params: { path: { team_id: teamId } },
          signal,
        }),
      ).then((page) => page.items),
  });
}

/** What each role may do: the same table the server enforces, so it rarely changes. */
export const rolesQuery = queryOptions({
  queryKey: ["roles"] as const,
  queryFn: ({ signal }) => unwrap(api.GET("/api/v1/roles", { signal })),
  staleTime: 10 * 60_000,
});

export function useMembers(teamId: string) {
  return useQuery(membersQuery(teamId));
}

/** Pending invitations, which only owners and admins may list. */
export function useInvitations(teamId: string) {
  return useQuery(invitationsQuery(teamId));
}

export function useRoles() {
  return useQuery(rolesQuery);
}

/** Members and pending invitations both take seats of the plan. */
function useSeatsChanged(teamId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: billingQuery(teamId).queryKey });
}

export function useChangeMemberRole(teamId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      membershipId,
      role,
    }: {
      membershipId: string;
      role: Schemas["RoleChange"]["role"];
    }) =>
      unwrap(
        api.PATCH("/api/v1/teams/{team_id}/members/{membership_id}", {
          params: { path: { team_id: teamId, membership_id: membershipId } },
          body: { role },
        }),
      ),
    onSuccess: (changed) => {
      queryClient.setQueryData(membersQuery(teamId).queryKey, (members) =>
        members?.map((member) => (member.id === changed.id ? changed : member)),
      );
    },
  });
}

export function useRemoveMember(teamId: string) {
  const queryClient = useQueryClient();
  const seatsChanged = useSeatsChanged(teamId);
  return useMutation({
    mutationFn: (membershipId: string) =>
      unwrap(
        api.DELETE("/api/v1/teams/{team_id}/members/{membership_id}", {
          params: { path: { team_id: teamId, membership_id: membershipId } },
        }),
      ),
    onSuccess: (_, membershipId) => {
      queryClient.setQueryData(membersQuery(teamId).queryKey, (members) =>
        members?.filter((member) => member.id !== membershipId),
      );
      void seatsChanged();
    },
  });
}

/** Leaves the team as the signed-in user; the last owner is refused (409). */
export function useLeaveTeam(teamId: string) {
  return useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/teams/{team_id}/leave", {
          params: { path: { team_id: teamId } },
        }),
      ),
  });
}

export function useInviteMember(teamId: string) {
  const queryClient = useQueryClient();
  const seatsChanged = useSeatsChanged(teamId);
  return useMutation({
    mutationFn: (body: Schemas["InvitationCreate"]) =>
      unwrap(
        api.POST("/api/v1/teams/{team_id}/invitations", {
          params: { path: { team_id: teamId } },
          body,
        }),
      ),
    onSuccess: (invitation) => {
      // Newest first, as the list is ordered.
      queryClient.setQueryData(invitationsQuery(teamId).queryKey, (invitations) => [
        invitation,
        ...(invitations ?? []).filter((pending) => pending.id !== invitation.id),
      ]);
      void queryClient.invalidateQueries({ queryKey: invitationsQuery(teamId).queryKey });
      void seatsChanged();
    },
  });
}

export function useRevokeInvitation(teamId: string) {
  const queryClient = useQueryClient();
  const seatsChanged = useSeatsChanged(teamId);
  return useMutation({
    mutationFn: (invitationId: string) =>
      unwrap(
        api.DELETE("/api/v1/teams/{team_id}/invitations/{invitation_id}", {
          params: { path: { team_id: teamId, invitation_id: invitationId } },
        }),
      ),
    onSuccess: (_, invitationId) => {
      queryClient.setQueryData(invitationsQuery(teamId).queryKey, (invitations) =>
        invitations?.filter((invitation) => invitation.id !== invitationId),
      );
      void seatsChanged();
    },
  });
}
