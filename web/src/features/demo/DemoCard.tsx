import { useNavigate } from "react-router";

import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { FormAlert } from "../../components/ui/FormAlert";
import { formErrors } from "../../lib/form-errors";
import type { CurrentWorkspace } from "../shell/use-current-workspace";
import { useSeedDemo } from "./hooks";

const MANAGERS: readonly string[] = ["owner", "admin"];

/** One click to a demo workspace of recorded runs, for owners and admins of the team. */
export function DemoCard({ team }: Pick<CurrentWorkspace, "team">) {
  const seed = useSeedDemo(team.id);
  const navigate = useNavigate();
  const errors = formErrors(seed.error, []);
  if (!MANAGERS.includes(team.role)) {
    return null;
  }
  const existing = team.workspaces.find((workspace) => workspace.demo);
  return (
    <Card className="mt-12 flex flex-wrap items-center justify-between gap-4 p-5">
      <div className="max-w-2xl">
        <h2 className="font-semibold text-white">See Luna at work</h2>
        <p className="text-sm text-slate-400">
          A demo workspace with sample agents, four weeks of usage and recorded runs you can replay
          step by step, with no model provider. It never counts towards your plan.
        </p>
        <FormAlert message={errors.message} requestId={errors.requestId} />
      </div>
      <Button
        variant="secondary"
        loading={seed.isPending}
        onClick={() => {
          if (existing) {
            void navigate(`/w/${existing.id}`);
            return;
          }
          seed.mutate(undefined, {
            onSuccess: (workspace) => void navigate(`/w/${workspace.id}`),
          });
        }}
      >
        {existing ? "Open the demo workspace" : "Create a demo workspace"}
      </Button>
    </Card>
  );
}
