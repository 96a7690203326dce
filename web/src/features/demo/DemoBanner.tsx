import { useNavigate } from "react-router";

import { Button } from "../../components/ui/Button";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { useRemoveDemo } from "./hooks";

const MANAGERS: readonly string[] = ["owner", "admin"];

/** Across the top of a demo workspace: what it is, and a way to remove it. */
export function DemoBanner({ team, workspace }: CurrentWorkspace) {
  const remove = useRemoveDemo(team.id);
  const navigate = useNavigate();
  const home = team.workspaces.find((candidate) => !candidate.demo);
  return (
    <div
      role="note"
      aria-label="Demo workspace"
      className="flex flex-wrap items-center justify-between gap-3 border-b border-halo/30 bg-cyan-400/10 px-6 py-2.5 text-sm text-cyan-50"
    >
      <p>
        <strong className="font-semibold">Demo workspace.</strong> {workspace.name} holds sample
        agents and recorded runs: replay them freely. Nothing here counts towards your plan.
      </p>
      {MANAGERS.includes(team.role) && (
        <Button
          variant="ghost"
          size="sm"
          loading={remove.isPending}
          onClick={() => {
            remove.mutate(undefined, {
              onSuccess: () => void navigate(home ? `/w/${home.id}` : "/"),
            });
          }}
        >
          Remove the demo
        </Button>
      )}
    </div>
  );
}
