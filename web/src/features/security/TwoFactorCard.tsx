import { useState, type RefObject } from "react";
import { flushSync } from "react-dom";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { formatDateTime } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import { DisableTotpDialog } from "./DisableTotpDialog";
import { EnrolTotpDialog } from "./EnrolTotpDialog";
import { useEnrolTotp, useMfaStatus, type MfaStatus, type TotpEnrolment } from "./hooks";
import { RegenerateCodesDialog } from "./RegenerateCodesDialog";

/** At or below this many unused recovery codes, the page suggests new ones. */
const FEW_RECOVERY_CODES = 3;

type OpenDialog = "regenerate" | "disable" | null;

function TwoFactorOn({
  status,
  onOpen,
}: {
  status: MfaStatus;
  onOpen: (dialog: OpenDialog) => void;
}) {
  const few = status.recovery_codes_remaining <= FEW_RECOVERY_CODES;
  return (
    <Card className="space-y-4 p-5">
      <div className="flex flex-wrap items-center gap-2">
        <p className="font-medium text-white">Two-factor authentication is on</p>
        <Badge tone="success">On</Badge>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-400">Authenticator app</dt>
        <dd className="text-slate-200">
          {status.confirmed_at ? (
            <>
              Added{" "}
              <time dateTime={status.confirmed_at}>{formatDateTime(status.confirmed_at)}</time>
            </>
          ) : (
            "Added"
          )}
        </dd>
        <dt className="text-slate-400">Recovery codes left</dt>
        <dd className="text-slate-200">{status.recovery_codes_remaining}</dd>
      </dl>
      {few && (
        <Alert tone="warning">
          {status.recovery_codes_remaining === 0
            ? "You have no recovery codes left: make new ones, or losing your phone locks you out."
            : "You are running out of recovery codes: make new ones."}
        </Alert>
      )}
      <div className="flex flex-wrap gap-3">
        <Button
          variant="secondary"
          onClick={() => {
            onOpen("regenerate");
          }}
        >
          New recovery codes
        </Button>
        <Button
          variant="ghost"
          onClick={() => {
            onOpen("disable");
          }}
        >
          Turn off two-factor authentication
        </Button>
      </div>
    </Card>
  );
}

/**
 * Whether two-factor authentication is on, and the ways to turn it on or off. The dialogs
 * live here, above the on/off switch, so that a change of state (the status is fetched
 * again) does not take away a dialog still showing recovery codes.
 */
export function TwoFactorCard({
  headingRef,
}: {
  /** The section's heading, where focus goes when the button that opened a dialog is gone. */
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const status = useMfaStatus();
  const enrol = useEnrolTotp();
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const enrolErrors = formErrors(enrol.error, []);
  const close = () => {
    setDialog(null);
  };
  const open = (next: OpenDialog) => {
    setNotice(null);
    setDialog(next);
  };

  let body;
  if (status.isPending) {
    body = (
      <LoadingRegion label="Loading two-factor authentication">
        <Skeleton className="h-40 rounded-2xl" />
      </LoadingRegion>
    );
  } else if (status.isError) {
    body = (
      <ErrorState
        title="Two-factor authentication could not be loaded"
        message={status.error.message}
        requestId={status.error instanceof ApiProblem ? status.error.requestId : null}
        onRetry={() => void status.refetch()}
        retrying={status.isFetching}
      />
    );
  } else if (status.data.enabled) {
    body = <TwoFactorOn status={status.data} onOpen={open} />;
  } else {
    body = (
      <Card className="space-y-4 p-5">
        <div className="flex flex-wrap items-center gap-2">
          <p className="font-medium text-white">Two-factor authentication is off</p>
          <Badge tone="warning">Off</Badge>
        </div>
        <p className="max-w-2xl text-sm text-slate-400">
          With it on, signing in asks for a code from an authenticator app on your phone as well as
          your password, so a stolen password alone cannot open your account.
        </p>
        <FormAlert message={enrolErrors.message} requestId={enrolErrors.requestId} />
        <Button
          loading={enrol.isPending}
          onClick={() => {
            setNotice(null);
            enrol.mutate(undefined, { onSuccess: setEnrolment });
          }}
        >
          Set up an authenticator app
        </Button>
      </Card>
    );
  }

  return (
    <>
      {notice && (
        <Alert tone="success" className="mb-4">
          {notice}
        </Alert>
      )}
      {body}
      <EnrolTotpDialog
        enrolment={enrolment}
        onClose={() => {
          flushSync(() => {
            setEnrolment(null);
          });
          if (!document.activeElement || document.activeElement === document.body) {
            headingRef.current?.focus();
          }
        }}
      />
      <RegenerateCodesDialog open={dialog === "regenerate"} onClose={close} />
      <DisableTotpDialog
        open={dialog === "disable"}
        onClose={close}
        onDisabled={() => {
          flushSync(() => {
            close();
            setNotice("Two-factor authentication is off.");
          });
          headingRef.current?.focus();
        }}
      />
    </>
  );
}
