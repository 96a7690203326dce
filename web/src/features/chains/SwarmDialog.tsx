import { useState, type SubmitEvent } from "react";
import { useNavigate } from "react-router";

import { Button } from "../../components/ui/Button";
import { Dialog } from "../../components/ui/Dialog";
import { FormAlert } from "../../components/ui/FormAlert";
import { SelectField } from "../../components/ui/SelectField";
import { TextField } from "../../components/ui/TextField";
import { textField } from "../../lib/form-data";
import { formErrors } from "../../lib/form-errors";
import { useActiveAgents, useCreateSwarm, type NewSwarm } from "./hooks";

type Strategy = NewSwarm["strategy"];

/** What each strategy does, as the form explains it. */
export const STRATEGIES: Record<Strategy, { label: string; description: string }> = {
  race: {
    label: "Race",
    description: "Every agent answers at once; the first answer wins and the others stop.",
  },
  vote: {
    label: "Vote",
    description: "Every agent answers, then a judge compares the answers and picks or merges.",
  },
  debate: {
    label: "Debate",
    description: "One agent answers, another reviews; rounds go on until the reviewer accepts.",
  },
};

const FIELDS = ["name", "members", "judge", "generator", "critic", "rounds"] as const;

/** A form for a new swarm: its name, strategy and agents. */
export function SwarmDialog({
  workspaceId,
  onClose,
}: {
  workspaceId: string;
  onClose: () => void;
}) {
  const agents = useActiveAgents(workspaceId);
  const create = useCreateSwarm(workspaceId);
  const navigate = useNavigate();
  const [strategy, setStrategy] = useState<Strategy>("race");
  const [memberCount, setMemberCount] = useState(2);
  const errors = formErrors(create.error, FIELDS);
  const options = [...(agents.data ?? new Map<string, string>()).entries()];

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const member = (name: string) => ({ agent_id: textField(form, name) });
    const body: NewSwarm =
      strategy === "debate"
        ? {
            name: textField(form, "name").trim(),
            strategy,
            generator: member("generator"),
            critic: member("critic"),
            rounds: Number(textField(form, "rounds")),
          }
        : {
            name: textField(form, "name").trim(),
            strategy,
            members: Array.from({ length: memberCount }, (_, index) =>
              member(`member-${String(index)}`),
            ),
            ...(strategy === "vote" ? { judge: member("judge") } : {}),
          };
    create.mutate(body, {
      onSuccess: (chain) => {
        void navigate(`/w/${workspaceId}/chains/${chain.id}`);
      },
    });
  }

  const agentSelect = (label: string, name: string, error?: string) => (
    <SelectField key={name} label={label} name={name} required error={error}>
      {options.map(([id, agentName]) => (
        <option key={id} value={id}>
          {agentName}
        </option>
      ))}
    </SelectField>
  );

  return (
    <Dialog
      open
      size="lg"
      title="New swarm"
      description="Several agents take on the same input at once."
      onClose={onClose}
      dismissible={!create.isPending}
    >
      <form onSubmit={submit} className="space-y-5">
        <FormAlert message={errors.message} requestId={errors.requestId} />
        <TextField label="Name" name="name" required maxLength={100} error={errors.fields.name} />
        <SelectField
          label="Strategy"
          name="strategy"
          value={strategy}
          description={STRATEGIES[strategy].description}
          onChange={(event) => {
            setStrategy(event.target.value as Strategy);
          }}
        >
          {Object.entries(STRATEGIES).map(([value, { label }]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </SelectField>
        {options.length === 0 ? (
          <p className="text-sm text-slate-300">
            Create an agent first: a swarm is made of agents.
          </p>
        ) : strategy === "debate" ? (
          <div className="grid gap-5 sm:grid-cols-3">
            {agentSelect("Answers", "generator", errors.fields.generator)}
            {agentSelect("Reviews", "critic", errors.fields.critic)}
            <SelectField label="Rounds, at most" name="rounds" defaultValue="3">
              {[1, 2, 3, 4, 5].map((count) => (
                <option key={count} value={count}>
                  {count}
                </option>
              ))}
            </SelectField>
          </div>
        ) : (
          <fieldset className="space-y-3">
            <legend className="mb-1.5 text-sm font-medium text-slate-200">Agents</legend>
            <div className="grid gap-3 sm:grid-cols-2">
              {Array.from({ length: memberCount }, (_, index) =>
                agentSelect(`Agent ${String(index + 1)}`, `member-${String(index)}`),
              )}
            </div>
            <div className="flex gap-2">
              <Button
                size="sm"
                variant="secondary"
                disabled={memberCount >= 5}
                onClick={() => {
                  setMemberCount(memberCount + 1);
                }}
              >
                Add an agent
              </Button>
              <Button
                size="sm"
                variant="ghost"
                disabled={memberCount <= 2}
                onClick={() => {
                  setMemberCount(memberCount - 1);
                }}
              >
                Remove the last
              </Button>
            </div>
            {errors.fields.members && (
              <p className="text-sm text-rose-300" role="alert">
                {errors.fields.members}
              </p>
            )}
            {strategy === "vote" && agentSelect("Judge", "judge", errors.fields.judge)}
          </fieldset>
        )}
        <div className="flex justify-end gap-3">
          <Button variant="ghost" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending} disabled={options.length === 0}>
            Create swarm
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
