import { useLocation, useNavigate } from "react-router";

import { SelectField } from "../../components/ui/SelectField";
import type { Me } from "../session/use-me";

interface WorkspaceSwitcherProps {
  me: Me;
  currentWorkspaceId: string | undefined;
}

/** Moves to the same page of another workspace. */
export function WorkspaceSwitcher({ me, currentWorkspaceId }: WorkspaceSwitcherProps) {
  const navigate = useNavigate();
  const location = useLocation();

  function switchTo(workspaceId: string) {
    // "/w/<id>/api-keys" keeps "api-keys": the same page, in the other workspace.
    const page = location.pathname.split("/").slice(3).join("/");
    void navigate(`/w/${workspaceId}${page ? `/${page}` : ""}`);
  }

  return (
    <SelectField
      label="Workspace"
      value={currentWorkspaceId ?? ""}
      onChange={(event) => {
        switchTo(event.target.value);
      }}
    >
      {currentWorkspaceId === undefined && <option value="">Choose a workspace</option>}
      {me.teams.map((team) => (
        <optgroup key={team.id} label={team.personal ? `${team.name} (personal)` : team.name}>
          {team.workspaces.map((workspace) => (
            <option key={workspace.id} value={workspace.id}>
              {workspace.demo ? `${workspace.name} (demo)` : workspace.name}
            </option>
          ))}
        </optgroup>
      ))}
    </SelectField>
  );
}
