/**
 * A run's answer while it streams: the text fragments of the model request that is
 * streaming now. A request that calls tools may say something first; the next request's
 * text replaces it, as the answer is what the last request says. Once the run has
 * finished, its stored output is the answer.
 */
import type { Run } from "../runs/run-detail/graph-model";
import type { RunDelta } from "../runs/run-detail/run-events";
import { runAnswer } from "../runs/run-format";

export interface StreamedAnswer {
  /** The run the fragments belong to. */
  runId: string;
  /** The model request whose text is shown; null before the first fragment. */
  request: number | null;
  text: string;
}

export function noAnswerYet(runId: string): StreamedAnswer {
  return { runId, request: null, text: "" };
}

/** The answer with one more fragment; thinking is not part of it. */
export function withDelta(answer: StreamedAnswer, delta: RunDelta): StreamedAnswer {
  if (delta.kind !== "text") {
    return answer;
  }
  if (delta.request !== answer.request) {
    return { ...answer, request: delta.request, text: delta.text };
  }
  return { ...answer, text: answer.text + delta.text };
}

/** The answer to show: the stored one once there is one, else the text streamed so far. */
export function shownAnswer(run: Run, streamed: string): string | null {
  return runAnswer(run) ?? (streamed === "" ? null : streamed);
}

/** A run's input as a person reads it: the text, or the input object as JSON. */
export function inputText(input: unknown): string {
  return typeof input === "string" ? input : JSON.stringify(input, null, 2);
}
