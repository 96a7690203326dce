import { Alert } from "../../components/ui/Alert";
import { isLive, type Run } from "../runs/run-detail/graph-model";
import type { StreamState } from "../runs/run-detail/run-events";
import { shownAnswer } from "./answer-stream";
import { ChatApprovals } from "./ChatApprovals";

interface RunAnswerProps {
  workspaceId: string;
  run: Run;
  /** The text streamed so far, while the run is followed live. */
  streamedText: string;
  /** The state of the run's event stream, while it is followed. */
  stream: StreamState;
  canDecide: boolean;
}

/** What a run says: its answer as it streams, then as stored; its error; its paused calls. */
export function RunAnswer({ workspaceId, run, streamedText, stream, canDecide }: RunAnswerProps) {
  const answer = shownAnswer(run, streamedText);
  const live = isLive(run);
  return (
    <div className="space-y-3" aria-busy={live}>
      {answer !== null ? (
        <p
          data-testid="answer"
          data-final={run.output !== null}
          className="text-sm leading-relaxed break-words whitespace-pre-wrap text-slate-100"
        >
          {answer}
        </p>
      ) : (
        live && <p className="text-sm text-slate-400">Thinking…</p>
      )}
      {live && stream === "failed" && (
        <Alert tone="warning">Live updates stopped: reload the page to follow the run again.</Alert>
      )}
      {run.error && (
        <Alert tone="error" title="The run failed">
          <code className="font-mono text-xs">{run.error.code}</code> {run.error.message}
        </Alert>
      )}
      {run.status === "cancelled" && !run.error && (
        <p className="text-sm text-slate-400">The run was cancelled.</p>
      )}
      {run.status === "waiting_approval" && (
        <ChatApprovals workspaceId={workspaceId} runId={run.id} canDecide={canDecide} />
      )}
    </div>
  );
}
