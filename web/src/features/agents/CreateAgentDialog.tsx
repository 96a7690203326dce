import { useId, useState, type SubmitEvent } from "react";

import { ApiProblem } from "../../api/client";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { ErrorState } from "../../components/ui/ErrorState";
import { SelectField } from "../../components/ui/SelectField";
import { Skeleton } from "../../components/ui/Skeleton";
import { FieldErrorMessage, TextField } from "../../components/ui/TextField";
import { classNames } from "../../lib/class-names";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import {
  useCatalog,
  useCreateAgentFromCatalog,
  type AgentDetail,
  type CatalogAgent,
  type CatalogCategory,
} from "./hooks";
import { PlanLimitOrFormAlert, planLimitOf } from "./PlanLimitAlert";
import { needsLargerPlan, planName } from "./plans";
import { SearchField } from "../../components/ui/SearchField";
import { useSingleFlight } from "../../lib/use-single-flight";

const CATEGORIES: { value: CatalogCategory; label: string }[] = [
  { value: "build", label: "Build" },
  { value: "design", label: "Design" },
  { value: "intelligence", label: "Intelligence" },
  { value: "meta", label: "Meta" },
  { value: "quality", label: "Quality" },
  { value: "ship", label: "Ship" },
];

function isCategory(value: string): value is CatalogCategory {
  return CATEGORIES.some((category) => category.value === value);
}

interface CreateAgentDialogProps {
  workspaceId: string;
  teamPlan: string;
  open: boolean;
  onClose: () => void;
  onCreated: (agent: AgentDetail) => void;
}

/** Choose a catalog agent and make this workspace's own copy of it. */
export function CreateAgentDialog({ open, ...props }: CreateAgentDialogProps) {
  // Mounted only while open: every opening starts afresh.
  return open ? <CreateAgentFlow {...props} /> : null;
}

function CreateAgentFlow({
  workspaceId,
  teamPlan,
  onClose,
  onCreated,
}: Omit<CreateAgentDialogProps, "open">) {
  const [q, setQ] = useState("");
  const [category, setCategory] = useState<CatalogCategory | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [missingChoice, setMissingChoice] = useState(false);
  const choiceErrorId = useId();
  const catalog = useCatalog({ q, category });
  const create = useCreateAgentFromCatalog(workspaceId);
  const createOnce = useSingleFlight(create);
  const planLimit = planLimitOf(create.error);
  const errors = formErrors(planLimit ? null : create.error, ["name", "template"]);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setMissingChoice(chosen === null);
    if (chosen === null) {
      return;
    }
    const name = textField(new FormData(event.currentTarget), "name").trim();
    createOnce({ template: chosen, name }, { onSuccess: onCreated });
  }

  const choiceError = missingChoice ? "Choose an agent from the catalog." : errors.fields.template;
  return (
    <Dialog
      open
      onClose={onClose}
      title="New agent from the catalog"
      description="Start from one of Luna's ready-made agents; the copy is this workspace's own to change."
      dismissible={!create.isPending}
      size="lg"
    >
      <form onSubmit={submit} className="space-y-5">
        <PlanLimitOrFormAlert planLimit={planLimit} error={errors} workspaceId={workspaceId} />
        <div className="grid gap-4 sm:grid-cols-[1fr_12rem]">
          <SearchField
            label="Search the catalog"
            value={q}
            onSearch={setQ}
            placeholder="Name, summary or tag"
          />
          <SelectField
            label="Category"
            value={category ?? ""}
            onChange={(event) => {
              setCategory(isCategory(event.target.value) ? event.target.value : null);
            }}
          >
            <option value="">All categories</option>
            {CATEGORIES.map(({ value, label }) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
        </div>
        <fieldset
          className="space-y-2"
          aria-describedby={choiceError ? choiceErrorId : undefined}
          aria-busy={catalog.isFetching || undefined}
        >
          <legend className="mb-1.5 text-sm font-medium text-slate-200">Catalog agent</legend>
          {catalog.isPending ? (
            <div role="status" aria-live="polite" className="space-y-2">
              <span className="sr-only">Loading the catalog</span>
              <Skeleton className="h-14" />
              <Skeleton className="h-14" />
            </div>
          ) : catalog.isError ? (
            <ErrorState
              title="The catalog could not be loaded"
              message={catalog.error.message}
              requestId={catalog.error instanceof ApiProblem ? catalog.error.requestId : null}
              onRetry={() => void catalog.refetch()}
              retrying={catalog.isFetching}
            />
          ) : catalog.data.length === 0 ? (
            <p className="rounded-lg border border-white/10 px-3 py-4 text-center text-sm text-slate-400">
              No catalog agent matches this search.
            </p>
          ) : (
            <ul className="max-h-72 space-y-2 overflow-y-auto pr-1">
              {catalog.data.map((agent) => (
                <CatalogChoice
                  key={agent.slug}
                  agent={agent}
                  teamPlan={teamPlan}
                  checked={chosen === agent.slug}
                  onChoose={() => {
                    setChosen(agent.slug);
                    setMissingChoice(false);
                  }}
                />
              ))}
            </ul>
          )}
          {choiceError && <FieldErrorMessage id={choiceErrorId}>{choiceError}</FieldErrorMessage>}
        </fieldset>
        <TextField
          label="Name (optional)"
          name="name"
          maxLength={100}
          autoComplete="off"
          description="The catalog agent's name when left empty."
          error={errors.fields.name}
        />
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create agent
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

interface CatalogChoiceProps {
  agent: CatalogAgent;
  teamPlan: string;
  checked: boolean;
  onChoose: () => void;
}

function CatalogChoice({ agent, teamPlan, checked, onChoose }: CatalogChoiceProps) {
  const id = useId();
  const upgrade = needsLargerPlan(teamPlan, agent.plan);
  return (
    <li
      className={classNames(
        "flex gap-3 rounded-lg border px-3 py-2.5",
        checked ? "border-luna-400/60 bg-luna-500/10" : "border-white/10 hover:bg-white/4",
      )}
    >
      <input
        id={id}
        type="radio"
        name="template"
        value={agent.slug}
        checked={checked}
        onChange={onChoose}
        aria-describedby={`${id}-summary${upgrade ? ` ${id}-plan` : ""}`}
        className="mt-1 size-4 shrink-0 accent-luna-500"
      />
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor={id} className="text-sm font-medium text-white">
            {agent.name}
          </label>
          <Badge>{agent.category}</Badge>
          {upgrade && (
            <span id={`${id}-plan`}>
              <Badge tone="warning">Needs the {planName(agent.plan)} plan</Badge>
            </span>
          )}
        </div>
        <p id={`${id}-summary`} className="mt-0.5 text-xs text-slate-400">
          {agent.summary}
        </p>
      </div>
    </li>
  );
}
