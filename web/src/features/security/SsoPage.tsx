import { useRef, useState } from "react";
import { flushSync } from "react-dom";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { CopyField } from "../../components/ui/CopyField";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { Section } from "../../components/ui/Section";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { formatDateTime } from "../../lib/dates";
import { planName } from "../agents/plans";
import { useBillingOverview, usePlans } from "../billing/hooks";
import { mayManageTeam, roleWithArticle } from "../members/permissions";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { useSsoConfig, type SsoConfig } from "./hooks";
import { RemoveSsoDialog } from "./RemoveSsoDialog";
import { SsoForm } from "./SsoForm";
import { SsoUpgradeAlert } from "./SsoUpgradeAlert";

/** The addresses a configuration will have, before there is one to ask the server about. */
function addressesOf(teamId: string, config: SsoConfig | null) {
  const base = `${window.location.origin}/api/v1/auth/sso/${encodeURIComponent(teamId)}`;
  return {
    signInUrl: config?.sign_in_url ?? `${base}/start`,
    redirectUri: config?.redirect_uri ?? `${base}/callback`,
  };
}

function SsoStatus({ config }: { config: SsoConfig }) {
  return (
    <p className="flex flex-wrap items-center gap-2 text-sm text-slate-400">
      {config.enabled ? <Badge tone="success">Enabled</Badge> : <Badge>Disabled</Badge>}
      {config.sso_required && <Badge tone="brand">Required for members</Badge>}
      <span>
        Last changed <time dateTime={config.updated_at}>{formatDateTime(config.updated_at)}</time>
      </span>
    </p>
  );
}

interface SsoSettingsProps {
  config: SsoConfig | null;
  /** The team's plan's name, and whether it includes single sign-on. */
  plan: { name: string; sso: boolean };
}

function SsoSettings({ config, plan }: SsoSettingsProps) {
  const { team, workspace } = useCurrentWorkspace();
  const plans = usePlans();
  const [notice, setNotice] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const upgradePlan = plans.data?.find((plan) => plan.sso)?.id ?? null;
  const addresses = addressesOf(team.id, config);

  function removed() {
    flushSync(() => {
      setRemoving(false);
      setNotice(`Single sign-on is removed from ${team.name}.`);
    });
    headingRef.current?.focus();
  }

  if (!plan.sso && config === null) {
    return (
      <SsoUpgradeAlert
        message={`${team.name} is on the ${plan.name} plan, which does not include single sign-on.`}
        workspaceId={workspace.id}
        upgradePlan={upgradePlan}
      />
    );
  }

  return (
    <div className="space-y-12">
      {notice && <Alert tone="success">{notice}</Alert>}
      {!plan.sso && (
        <SsoUpgradeAlert
          message={`The ${plan.name} plan does not include single sign-on: members sign in with their passwords until the team upgrades.`}
          workspaceId={workspace.id}
          upgradePlan={upgradePlan}
        />
      )}
      <Section
        title="Addresses"
        description={
          config
            ? "Register the redirect URI at your provider. Members start signing in at the sign-in address."
            : "Register this redirect URI at your provider first; it gives you the client ID and secret. The addresses work once single sign-on is saved."
        }
      >
        <Card className="space-y-2 p-5">
          <CopyField label="Sign-in address" value={addresses.signInUrl} />
          <CopyField label="Redirect URI" value={addresses.redirectUri} />
        </Card>
      </Section>
      <Section
        title="Identity provider"
        headingRef={headingRef}
        description="Any OpenID Connect provider: Okta, Microsoft Entra ID, Google Workspace, Auth0, Keycloak…"
      >
        {config && <SsoStatus config={config} />}
        <Card className="p-5">
          <SsoForm
            key={config?.updated_at ?? "new"}
            teamId={team.id}
            workspaceId={workspace.id}
            config={config}
            upgradePlan={upgradePlan}
            onSaved={() => {
              // The form is drawn afresh with the saved values: focus goes to its heading.
              flushSync(() => {
                setNotice("Single sign-on is saved.");
              });
              headingRef.current?.focus();
            }}
          />
        </Card>
        {config && (
          <div className="flex justify-end">
            <Button
              variant="ghost"
              onClick={() => {
                setNotice(null);
                setRemoving(true);
              }}
            >
              Remove single sign-on
            </Button>
          </div>
        )}
      </Section>
      <RemoveSsoDialog
        open={removing}
        teamId={team.id}
        teamName={team.name}
        onClose={() => {
          setRemoving(false);
        }}
        onRemoved={removed}
      />
    </div>
  );
}

/** The team's single sign-on settings, for its owners and admins. */
export function SsoPage() {
  const { team } = useCurrentWorkspace();
  const canManage = mayManageTeam(team.role);
  const config = useSsoConfig(team.id, canManage);
  const billing = useBillingOverview(team.id);
  // When the plan cannot be read, the form shows and the server has the last word.
  const plan = billing.data?.plan ?? { name: planName(team.plan), sso: true };

  let body;
  if (!canManage) {
    body = (
      <EmptyState title="Only owners and admins manage single sign-on">
        You are {roleWithArticle(team.role)} of {team.name}. Ask an owner or admin to set it up.
      </EmptyState>
    );
  } else if (config.isPending || billing.isPending) {
    body = (
      <LoadingRegion label="Loading single sign-on">
        <div className="space-y-4">
          <Skeleton className="h-28 rounded-2xl" />
          <Skeleton className="h-96 rounded-2xl" />
        </div>
      </LoadingRegion>
    );
  } else if (config.isError) {
    body = (
      <ErrorState
        title="Single sign-on could not be loaded"
        message={config.error.message}
        requestId={config.error instanceof ApiProblem ? config.error.requestId : null}
        onRetry={() => void config.refetch()}
        retrying={config.isFetching}
      />
    );
  } else {
    body = <SsoSettings config={config.data} plan={plan} />;
  }

  return (
    <>
      <title>{`Single sign-on · ${team.name} · Luna`}</title>
      <PageHeader
        title="Single sign-on"
        description={`${team.name} · sign in through your identity provider`}
      />
      {body}
    </>
  );
}
