import { useMutation } from "@tanstack/react-query";

import { api, isSessionEnded, unwrap } from "../../api/client";
import { Button, type ButtonVariant } from "../../components/ui/Button";
import { leaveToSignIn } from "../session/sign-out";

interface SignOutButtonProps {
  variant?: ButtonVariant;
  /** The in-app path to come back to after signing in again. */
  returnTo?: string;
}

export function SignOutButton({ variant = "secondary", returnTo }: SignOutButtonProps) {
  const signOut = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/logout")),
    onSuccess: () => {
      leaveToSignIn("signed-out", returnTo);
    },
    onError: (error) => {
      // A session the server no longer knows is already signed out.
      if (isSessionEnded(error)) {
        leaveToSignIn("signed-out", returnTo);
      }
    },
  });
  return (
    <div className="space-y-2">
      <Button
        variant={variant}
        size="sm"
        loading={signOut.isPending}
        onClick={() => {
          signOut.mutate();
        }}
      >
        Sign out
      </Button>
      {signOut.isError && !isSessionEnded(signOut.error) && (
        <p role="alert" className="text-xs text-rose-300">
          {signOut.error.message}
        </p>
      )}
    </div>
  );
}
