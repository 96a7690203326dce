import type { ReactNode } from "react";
import { Link } from "react-router";

import { ApiProblem } from "../../api/client";
import { Badge } from "../../components/ui/Badge";
import { buttonClasses } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { PageHeader } from "../../components/ui/PageHeader";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { formatDate } from "../../lib/dates";
import { useSessions } from "../account/hooks";
import { apiKeyStatus, useApiKeys } from "../api-keys/hooks";
import { DemoCard } from "../demo/DemoCard";
import { OnboardingCallout } from "../onboarding/OnboardingCallout";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import { useCatalog, type CatalogAgent } from "./hooks";

interface SummaryCardProps {
  title: string;
  /** The figure; undefined while it loads, null when it could not be loaded. */
  figure: number | null | undefined;
  unit: string;
  link?: { to: string; text: string };
}

function SummaryCard({ title, figure, unit, link }: SummaryCardProps) {
  return (
    <Card className="flex flex-col gap-3 p-5">
      <h2 className="text-sm font-medium text-slate-400">{title}</h2>
      {figure === undefined ? (
        <LoadingRegion label={`Loading ${title.toLowerCase()}`}>
          <Skeleton className="h-9 w-16" />
        </LoadingRegion>
      ) : (
        <p className="text-3xl font-semibold tracking-tight text-white">
          {figure ?? "–"}{" "}
          <span className="text-sm font-normal text-slate-400">
            {figure === null ? "could not be loaded" : unit}
          </span>
        </p>
      )}
      {link && (
        <Link
          to={link.to}
          className="mt-auto text-sm font-medium text-luna-300 hover:text-luna-200"
        >
          {link.text} <span aria-hidden="true">→</span>
        </Link>
      )}
    </Card>
  );
}

function figureOf<T>(query: { data?: T[]; isError: boolean }, count: (items: T[]) => number) {
  if (query.isError) {
    return null;
  }
  return query.data ? count(query.data) : undefined;
}

function AgentCard({ agent }: { agent: CatalogAgent }) {
  return (
    <li>
      <Card className="h-full p-4">
        <div className="flex items-start justify-between gap-3">
          <h3 className="font-medium text-white">{agent.name}</h3>
          <Badge tone="brand">{agent.category}</Badge>
        </div>
        <p className="mt-1.5 text-sm text-slate-400">{agent.summary}</p>
        <p className="mt-3 text-xs text-slate-400">
          Produces <code className="font-mono text-slate-400">{agent.artifact}</code>
        </p>
      </Card>
    </li>
  );
}

function CatalogSection({ plan }: { plan: string }) {
  const catalog = useCatalog(plan);
  let content: ReactNode;
  if (catalog.isPending) {
    content = (
      <LoadingRegion label="Loading the agent catalog">
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {Array.from({ length: 6 }, (_, index) => (
            <Skeleton key={index} className="h-32" />
          ))}
        </div>
      </LoadingRegion>
    );
  } else if (catalog.isError) {
    content = (
      <ErrorState
        title="The agent catalog could not be loaded"
        message={catalog.error.message}
        requestId={catalog.error instanceof ApiProblem ? catalog.error.requestId : null}
        onRetry={() => void catalog.refetch()}
        retrying={catalog.isFetching}
      />
    );
  } else if (catalog.data.length === 0) {
    content = (
      <EmptyState title="No built-in agents on this plan">
        Upgrading the plan unlocks the catalog.
      </EmptyState>
    );
  } else {
    content = (
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {catalog.data.map((agent) => (
          <AgentCard key={agent.slug} agent={agent} />
        ))}
      </ul>
    );
  }
  return (
    <section aria-labelledby="catalog-heading" className="mt-12">
      <div className="mb-4">
        <h2 id="catalog-heading" className="text-lg font-semibold text-white">
          Built-in agents on your plan
        </h2>
        <p className="text-sm text-slate-400">
          Specialised agents from Luna&apos;s catalog, ready to use as templates.
        </p>
      </div>
      {content}
    </section>
  );
}

export function WorkspaceHomePage() {
  const { workspace, team } = useCurrentWorkspace();
  const keys = useApiKeys(workspace.id);
  const sessions = useSessions();
  const catalog = useCatalog(team.plan);
  const base = `/w/${workspace.id}`;

  return (
    <>
      <title>{`${workspace.name} · Luna`}</title>
      <PageHeader
        title={workspace.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <span>{team.personal && team.role === "owner" ? "Your personal team" : team.name}</span>
            <Badge tone="brand">{team.plan} plan</Badge>
            <Badge>{team.role}</Badge>
            <span className="text-slate-400">created {formatDate(workspace.created_at)}</span>
          </span>
        }
        actions={
          <Link to={`${base}/api-keys`} className={buttonClasses("secondary")}>
            Manage API keys
          </Link>
        }
      />
      <OnboardingCallout workspaceId={workspace.id} role={team.role} demo={workspace.demo} />
      <div className="grid gap-4 sm:grid-cols-3">
        <SummaryCard
          title="Active API keys"
          figure={figureOf(
            keys,
            (items) => items.filter((key) => apiKeyStatus(key) === "active").length,
          )}
          unit="in this workspace"
          link={{ to: `${base}/api-keys`, text: "API keys" }}
        />
        <SummaryCard
          title="Signed-in browsers"
          figure={figureOf(sessions, (items) => items.length)}
          unit="on your account"
          link={{ to: `${base}/account/sessions`, text: "Sessions" }}
        />
        <SummaryCard
          title="Built-in agents"
          figure={figureOf(catalog, (items) => items.length)}
          unit={`on the ${team.plan} plan`}
        />
      </div>
      <CatalogSection plan={team.plan} />
      {!workspace.demo && <DemoCard team={team} />}
    </>
  );
}
