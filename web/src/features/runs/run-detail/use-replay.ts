import { useEffect, useEffectEvent, useState } from "react";

import {
  LONGEST_REPLAY_WAIT_MS,
  delayBefore,
  positionOfSequence,
  replayReducer,
  sequenceAt,
  type ReplayAction,
  type ReplayFrame,
  type ReplaySpeed,
} from "./replay-scheduler";

interface ReplayOptions {
  frames: readonly ReplayFrame[];
  /** The address's `?at=`: the sequence of the last step shown; null for the whole run. */
  at: number | null;
  speed: ReplaySpeed;
  /** Moves the replay: writes the new `?at=` into the address. */
  onSeek: (at: number) => void;
}

/**
 * A replay of recorded steps: its position comes from the address, whether it plays is
 * the page's own state, and while it plays a timer waits the recorded gap (divided by the
 * speed) before showing the next step.
 */
export function useReplay({ frames, at, speed, onSeek }: ReplayOptions) {
  const [playing, setPlaying] = useState(false);
  const position = at === null ? frames.length : positionOfSequence(frames, at);

  const dispatch = (action: ReplayAction) => {
    const next = replayReducer({ position, playing }, action, frames);
    if (next.position !== position) {
      onSeek(sequenceAt(frames, next.position));
    }
    if (next.playing !== playing) {
      setPlaying(next.playing);
    }
  };
  const tick = useEffectEvent(() => {
    dispatch({ type: "tick" });
  });

  useEffect(() => {
    if (!playing) {
      return undefined;
    }
    const delay = delayBefore(frames, position, speed, LONGEST_REPLAY_WAIT_MS);
    if (delay === null) {
      return undefined;
    }
    const timer = setTimeout(tick, delay);
    return () => {
      clearTimeout(timer);
    };
  }, [playing, position, speed, frames]);

  return { position, playing, dispatch };
}
