import { Pause, Play, SkipBack, SkipForward } from "lucide-react";
import { useId } from "react";

import { Button } from "../../../components/ui/Button";
import { formatLatency } from "../run-format";
import {
  REPLAY_SPEEDS,
  isReplaySpeed,
  type ReplayAction,
  type ReplaySpeed,
} from "./replay-scheduler";

interface ReplayControlsProps {
  position: number;
  total: number;
  playing: boolean;
  speed: ReplaySpeed;
  /** The moment the replay has reached, from the run's start. */
  elapsedMs: number;
  onAction: (action: ReplayAction) => void;
  onSpeedChange: (speed: ReplaySpeed) => void;
}

/** Play, pause, step and scrub through a finished run's steps, at a chosen speed. */
export function ReplayControls({
  position,
  total,
  playing,
  speed,
  elapsedMs,
  onAction,
  onSpeedChange,
}: ReplayControlsProps) {
  const speedId = useId();
  return (
    <div
      role="group"
      aria-label="Replay"
      data-testid="replay-controls"
      data-position={position}
      data-playing={playing}
      className="glass flex flex-wrap items-center gap-3 rounded-2xl px-4 py-3"
    >
      <Button
        variant="secondary"
        size="sm"
        aria-label="Step back"
        disabled={position <= 0}
        onClick={() => {
          onAction({ type: "step-back" });
        }}
      >
        <SkipBack aria-hidden="true" className="size-4" />
      </Button>
      <Button
        size="sm"
        className="w-20"
        disabled={total === 0}
        onClick={() => {
          onAction({ type: playing ? "pause" : "play" });
        }}
      >
        {playing ? (
          <Pause aria-hidden="true" className="size-4" />
        ) : (
          <Play aria-hidden="true" className="size-4" />
        )}
        {playing ? "Pause" : "Play"}
      </Button>
      <Button
        variant="secondary"
        size="sm"
        aria-label="Step forward"
        disabled={position >= total}
        onClick={() => {
          onAction({ type: "step-forward" });
        }}
      >
        <SkipForward aria-hidden="true" className="size-4" />
      </Button>
      <input
        type="range"
        aria-label="Replay position"
        min={0}
        max={total}
        step={1}
        value={position}
        aria-valuetext={`Step ${position} of ${total}`}
        onChange={(event) => {
          onAction({ type: "seek", position: Number(event.target.value) });
        }}
        className="min-w-40 flex-1 accent-luna-400"
      />
      <span className="w-32 text-right text-xs text-slate-300 tabular-nums" aria-live="off">
        {position} / {total} · {formatLatency(elapsedMs)}
      </span>
      <label htmlFor={speedId} className="text-xs text-slate-300">
        Speed
      </label>
      <select
        id={speedId}
        value={speed}
        onChange={(event) => {
          const chosen = Number(event.target.value);
          if (isReplaySpeed(chosen)) {
            onSpeedChange(chosen);
          }
        }}
        className="h-8 rounded-lg border border-white/15 bg-night-raised px-2 text-sm text-slate-100"
      >
        {REPLAY_SPEEDS.map((option) => (
          <option key={option} value={option}>
            {option}×
          </option>
        ))}
      </select>
    </div>
  );
}
