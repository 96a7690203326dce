import { useMutation } from "@tanstack/react-query";

import { api, unwrap } from "../../api/client";
import { Button } from "../../components/ui/Button";

/** Reminds a user whose address is unconfirmed, and sends a new link on request. */
export function EmailVerificationBanner({ email }: { email: string }) {
  const resend = useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/auth/email/resend")),
  });
  return (
    <div className="border-b border-amber-300/20 bg-amber-400/8 px-6 py-2.5 text-sm text-amber-50">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-x-4 gap-y-2">
        <p>
          Confirm your email address: we sent a link to{" "}
          <strong className="font-semibold">{email}</strong>.
        </p>
        <div className="flex items-center gap-3" aria-live="polite">
          {resend.isSuccess && <span>A new link is on its way.</span>}
          {resend.isError && <span className="text-rose-200">{resend.error.message}</span>}
          {!resend.isSuccess && (
            <Button
              variant="ghost"
              size="sm"
              loading={resend.isPending}
              onClick={() => {
                resend.mutate();
              }}
            >
              Send a new link
            </Button>
          )}
        </div>
      </div>
    </div>
  );
}
