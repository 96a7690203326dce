import type { SubmitEvent } from "react";

import { ApiProblem } from "../../api/client";
import { Button } from "../../components/ui/Button";
import { CheckboxField } from "../../components/ui/CheckboxField";
import { ErrorState } from "../../components/ui/ErrorState";
import { FormAlert } from "../../components/ui/FormAlert";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { formatDateTime } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import { readConsentCookie, type CookieChoice } from "./consent-cookie";
import { useConsent, useSaveConsent } from "./hooks";

const NO_CHOICE: CookieChoice = { analytics: false, marketing: false };

function CookieForm({ initial, savedAt }: { initial: CookieChoice; savedAt: string | null }) {
  const save = useSaveConsent();
  const errors = formErrors(save.error, []);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({
      analytics: form.get("analytics") === "on",
      marketing: form.get("marketing") === "on",
    });
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      <FormAlert message={errors.message} requestId={errors.requestId} />
      <fieldset className="space-y-1">
        <legend className="sr-only">Cookies Luna may use</legend>
        <CheckboxField
          label="Necessary cookies"
          checked
          disabled
          readOnly
          description="Keep you signed in and protect your forms. Always on."
        />
        <CheckboxField
          label="Analytics cookies"
          name="analytics"
          defaultChecked={initial.analytics}
          description="Count visits to the public site, so we learn which pages help."
        />
        <CheckboxField
          label="Marketing cookies"
          name="marketing"
          defaultChecked={initial.marketing}
          description="Measure whether our announcements reach people."
        />
      </fieldset>
      <div className="flex flex-wrap items-center justify-end gap-3">
        <p role="status" className="mr-auto text-xs text-slate-400">
          {save.isSuccess
            ? "Your choice is saved, for this browser and your account."
            : savedAt
              ? `Chosen ${formatDateTime(savedAt)}.`
              : "You have not chosen yet: Luna uses only necessary cookies."}
        </p>
        <Button type="submit" loading={save.isPending}>
          Save cookie choice
        </Button>
      </div>
    </form>
  );
}

/** The account's cookie choice, the same one the public site's banner asks for. */
export function CookiePreferences() {
  const consent = useConsent();
  if (consent.isPending) {
    return (
      <LoadingRegion label="Loading your cookie choice">
        <Skeleton className="h-48 rounded-2xl" />
      </LoadingRegion>
    );
  }
  if (consent.isError) {
    return (
      <ErrorState
        title="Your cookie choice could not be loaded"
        message={consent.error.message}
        requestId={consent.error instanceof ApiProblem ? consent.error.requestId : null}
        onRetry={() => void consent.refetch()}
        retrying={consent.isFetching}
      />
    );
  }
  const stored = consent.data.choice;
  return (
    <CookieForm
      initial={stored ?? readConsentCookie() ?? NO_CHOICE}
      savedAt={stored?.updated_at ?? null}
    />
  );
}
