import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../../api/client";
import { meQueryKey } from "../session/use-me";

export function useSignIn() {
  return useMutation({
    mutationFn: (body: Schemas["LogIn"]) => unwrap(api.POST("/api/v1/auth/login", { body })),
  });
}

/** The second step of signing in with two-factor authentication on. */
export function useVerifyMfa() {
  return useMutation({
    mutationFn: (body: Schemas["MfaProof"]) =>
      unwrap(api.POST("/api/v1/auth/mfa/verify", { body })),
  });
}

/** Ends a half-finished sign-in (password given, second factor not). */
export function useAbandonSignIn() {
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/logout")),
  });
}

export function useSignUp() {
  return useMutation({
    mutationFn: (body: Schemas["SignUp"]) => unwrap(api.POST("/api/v1/auth/signup", { body })),
  });
}

export function useForgotPassword() {
  return useMutation({
    mutationFn: (body: Schemas["ForgotPassword"]) =>
      unwrap(api.POST("/api/v1/auth/password/forgot", { body })),
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (body: Schemas["ResetPassword"]) =>
      unwrap(api.POST("/api/v1/auth/password/reset", { body })),
  });
}

/**
 * Confirms an emailed link: a sign-up's address, or (`change`) a new address the user
 * asked to move the account to.
 */
export function useVerifyEmail(change = false) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Schemas["TokenBody"]) =>
      change
        ? unwrap(api.POST("/api/v1/auth/email/change/confirm", { body }))
        : unwrap(api.POST("/api/v1/auth/email/verify", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryKey }),
  });
}
