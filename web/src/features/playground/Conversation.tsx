import { useQuery } from "@tanstack/react-query";
import { useRef, useState, type KeyboardEvent, type SubmitEvent } from "react";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { ErrorState } from "../../components/ui/ErrorState";
import { LoadingRegion, Skeleton } from "../../components/ui/Skeleton";
import { TextAreaField } from "../../components/ui/TextAreaField";
import { isLive, type Run, type RunTotals } from "../runs/run-detail/graph-model";
import type { StreamState } from "../runs/run-detail/run-events";
import { inputText } from "./answer-stream";
import { draftRunFields, type PlaygroundDraft } from "./draft";
import { threadQuery, useLiveRun, useSendMessage, type LiveRun } from "./hooks";
import { LiveGraphPanel } from "./LiveGraphPanel";
import type { JsonSchema } from "./schema-input";
import { SchemaInputFields, useSchemaInput } from "./StructuredInput";
import { RunAnswer } from "./RunAnswer";
import { RunFigures, RunStatus } from "./RunFigures";
import { RunStartAlert } from "./RunStartAlert";
import { useSingleFlight } from "../../lib/use-single-flight";

interface ConversationProps {
  workspaceId: string;
  agentId: string;
  agentName: string;
  /** The thread in the address; null for a new conversation. */
  threadId: string | null;
  draft: PlaygroundDraft;
  /** The input schema of the definition runs use: its input is a form, not a message. */
  inputSchema: JsonSchema | null;
  canWrite: boolean;
  onThreadChange: (threadId: string | null) => void;
}

/**
 * A conversation with the agent, beside the live graph of its latest run. The first
 * message starts a thread; each follow-up continues it, so the model sees the history.
 */
export function Conversation(props: ConversationProps) {
  const { workspaceId, agentId, threadId } = props;
  const thread = useQuery({
    ...threadQuery(workspaceId, agentId, threadId ?? ""),
    enabled: threadId !== null,
  });
  const runs = threadId === null ? [] : (thread.data?.runs ?? []);
  const latest = useLiveRun(workspaceId, runs.at(-1)?.id ?? null);

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
      <section aria-label="Conversation" className="min-w-0 space-y-4">
        {threadId !== null && thread.isPending ? (
          <LoadingRegion label="Loading the conversation">
            <div className="space-y-3">
              <Skeleton className="ml-auto h-10 w-2/3" />
              <Skeleton className="h-24" />
            </div>
          </LoadingRegion>
        ) : thread.isError ? (
          <ErrorState
            title="The conversation could not be loaded"
            message={thread.error.message}
            requestId={thread.error instanceof ApiProblem ? thread.error.requestId : null}
            onRetry={() => void thread.refetch()}
            retrying={thread.isFetching}
          />
        ) : (
          <>
            {threadId !== null && thread.data && !thread.data.complete && (
              <Alert tone="warning">
                {thread.data.runs.length === 0
                  ? "This conversation was not found among the agent's runs. Start a new one."
                  : "This conversation is too long to show in full here; the agent still sees all of it."}
              </Alert>
            )}
            <ChatLog {...props} runs={runs} latest={latest} />
          </>
        )}
        <MessageForm
          // A changed schema is a new form.
          key={JSON.stringify(props.inputSchema)}
          {...props}
          latestRun={latest.run ?? runs.at(-1)}
        />
      </section>
      <div className="min-w-0 lg:sticky lg:top-6 lg:self-start">
        <LiveGraphPanel workspaceId={workspaceId} live={latest} />
      </div>
    </div>
  );
}

interface ChatLogProps extends ConversationProps {
  runs: Run[];
  latest: LiveRun;
}

/** The messages so far, announced politely as they come. */
function ChatLog({ workspaceId, agentName, runs, latest, canWrite }: ChatLogProps) {
  return (
    <div
      aria-live="polite"
      aria-label="Messages"
      role="log"
      data-testid="chat-log"
      className="space-y-5"
    >
      {runs.length === 0 ? (
        <p className="glass rounded-2xl px-5 py-8 text-center text-sm text-slate-400">
          Say something to {agentName}. Follow-ups continue the conversation.
        </p>
      ) : (
        <ol className="space-y-5">
          {runs.map((stored) => {
            const isLatest = stored.id === latest.run?.id;
            return (
              <ChatTurn
                key={stored.id}
                workspaceId={workspaceId}
                agentName={agentName}
                run={isLatest && latest.run ? latest.run : stored}
                totals={isLatest ? latest.totals : null}
                streamedText={isLatest ? latest.streamedText : ""}
                stream={isLatest ? latest.stream : "idle"}
                canWrite={canWrite}
              />
            );
          })}
        </ol>
      )}
    </div>
  );
}

interface ChatTurnProps {
  workspaceId: string;
  agentName: string;
  run: Run;
  totals: RunTotals | null;
  streamedText: string;
  stream: StreamState;
  canWrite: boolean;
}

/** One exchange: the message sent, and the agent's answer with its run's figures. */
function ChatTurn({
  workspaceId,
  agentName,
  run,
  totals,
  streamedText,
  stream,
  canWrite,
}: ChatTurnProps) {
  return (
    <li className="space-y-2" data-testid="chat-turn" data-run-id={run.id} data-status={run.status}>
      <div className="ml-auto w-fit max-w-[85%] rounded-2xl rounded-br-md bg-luna-600/30 px-4 py-2.5">
        <p className="sr-only">You:</p>
        <p data-testid="message" className="text-sm break-words whitespace-pre-wrap text-slate-50">
          {inputText(run.input)}
        </p>
      </div>
      <div className="glass space-y-3 rounded-2xl rounded-bl-md px-4 py-3">
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <p className="font-medium text-white">{agentName}</p>
          <RunStatus run={run} />
          {run.draft && <span className="text-xs text-amber-200">Draft</span>}
        </div>
        <RunAnswer
          workspaceId={workspaceId}
          run={run}
          streamedText={streamedText}
          stream={stream}
          canDecide={canWrite}
        />
        <RunFigures workspaceId={workspaceId} run={run} totals={totals} />
      </div>
    </li>
  );
}

interface MessageFormProps extends ConversationProps {
  latestRun: Run | undefined;
}

/** Why a message cannot be sent now, if it cannot. */
function blockedReason(
  canWrite: boolean,
  draft: PlaygroundDraft,
  latestRun: Run | undefined,
): string | null {
  if (!canWrite) {
    return "Viewers of a team can read conversations but not run agents.";
  }
  if (draft.state === "invalid") {
    return "Correct the draft definition above to send a message.";
  }
  if (latestRun?.status === "waiting_approval") {
    return "Approve or reject the tool call above first.";
  }
  if (latestRun && isLive(latestRun)) {
    return "Wait for the answer to send the next message.";
  }
  return null;
}

/** The message box: Enter sends, Shift+Enter starts a new line. */
function MessageForm({
  workspaceId,
  agentId,
  threadId,
  draft,
  inputSchema,
  canWrite,
  latestRun,
  onThreadChange,
}: MessageFormProps) {
  const send = useSendMessage(workspaceId, agentId);
  const sendOnce = useSingleFlight(send);
  const [message, setMessage] = useState("");
  const structured = useSchemaInput(inputSchema);
  const messageField = useRef<HTMLTextAreaElement>(null);
  const blocked = blockedReason(canWrite, draft, latestRun);

  function submit(event: SubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    if (blocked !== null || send.isPending) {
      return;
    }
    const input = inputSchema ? structured.take() : message.trim();
    if (input === null || input === "") {
      return;
    }
    sendOnce(
      { input, ...(threadId === null ? {} : { thread_id: threadId }), ...draftRunFields(draft) },
      {
        onSuccess: (run) => {
          setMessage("");
          structured.reset();
          if (threadId === null) {
            onThreadChange(run.thread_id ?? run.id);
          }
        },
      },
    );
  }
  const sendOnEnter = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      event.currentTarget.form?.requestSubmit();
    }
  };

  return (
    <form onSubmit={submit} aria-label="Send a message" className="space-y-3">
      <RunStartAlert workspaceId={workspaceId} error={send.error} />
      {inputSchema ? (
        <SchemaInputFields input={structured} />
      ) : (
        <TextAreaField
          ref={messageField}
          label="Message"
          rows={3}
          value={message}
          maxLength={20_000}
          description="Enter sends; Shift+Enter starts a new line."
          onChange={(event) => {
            setMessage(event.target.value);
          }}
          onKeyDown={sendOnEnter}
        />
      )}
      <div className="flex flex-wrap items-center gap-3">
        <p role="status" className="text-sm text-slate-400 sm:mr-auto">
          {blocked}
        </p>
        <div className="ml-auto flex gap-2">
          {threadId !== null && (
            <Button
              variant="ghost"
              onClick={() => {
                send.reset();
                onThreadChange(null);
                // The button goes with the thread: the message box keeps the focus.
                messageField.current?.focus();
              }}
            >
              New conversation
            </Button>
          )}
          <Button
            type="submit"
            loading={send.isPending}
            disabled={blocked !== null || (inputSchema === null && message.trim() === "")}
          >
            Send
          </Button>
        </div>
      </div>
    </form>
  );
}
