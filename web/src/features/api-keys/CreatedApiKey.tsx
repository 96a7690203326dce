import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { CopyField } from "../../components/ui/CopyField";
import { formatDateTime } from "../../lib/dates";
import type { CreatedApiKey as CreatedKey } from "./hooks";

/** The one and only sight of a new key's secret. */
export function CreatedApiKey({ apiKey, onDone }: { apiKey: CreatedKey; onDone: () => void }) {
  return (
    <div className="space-y-5">
      <Alert tone="warning" title="Copy this key now: you will not see it again">
        Luna keeps only a hash of it. If you lose it, revoke it and create another.
      </Alert>
      <CopyField label="Your new API key" value={apiKey.key} autoFocus />
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="text-slate-400">Name</dt>
        <dd className="text-white">{apiKey.name}</dd>
        <dt className="text-slate-400">Scopes</dt>
        <dd className="flex flex-wrap gap-1">
          {apiKey.scopes.map((scope) => (
            <Badge key={scope} tone={scope === "admin" ? "warning" : "brand"}>
              {scope}
            </Badge>
          ))}
        </dd>
        <dt className="text-slate-400">Expires</dt>
        <dd className="text-white">
          {apiKey.expires_at ? formatDateTime(apiKey.expires_at) : "Never"}
        </dd>
      </dl>
      <p className="text-xs text-slate-400">
        Send it as{" "}
        <code className="font-mono text-slate-300">Authorization: Bearer {apiKey.prefix}…</code>
      </p>
      <div className="flex justify-end">
        <Button onClick={onDone}>Done</Button>
      </div>
    </div>
  );
}
