import {
  memo,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type RefObject,
} from "react";

import { Button } from "../../../components/ui/Button";
import { classNames } from "../../../lib/class-names";
import { formatLatency } from "../run-format";
import type { Step } from "./graph-model";
import { STEP_KIND_BARS, statusRing, stepTitle } from "./step-kinds";
import { axisTicks, barsInWindow, timelineOf, type TimelineBar } from "./timeline-model";

const LANE_HEIGHT = 14;
const LANE_GAP = 4;
const AXIS_HEIGHT = 18;
const SMALLEST_BAR_PX = 4;
/** How far past the visible part bars are still drawn, in pixels. */
const OVERSCAN_PX = 200;
const ZOOMS = [1, 2, 4, 8, 16, 32, 64];
/** The width assumed before the strip is measured. */
const DEFAULT_WIDTH = 800;

interface RunTimelineProps {
  steps: readonly Step[];
  /** The run's start: time zero. */
  origin: string | null;
  selectedSequence: number | null;
  /** Steps past this sequence are dimmed (a replay's position); null for none. */
  upToSequence: number | null;
  /** Where a replay is, from the run's start; null for no playhead. */
  playheadMs: number | null;
  onSelect: (sequence: number) => void;
}

/**
 * The steps on a time axis, a bar each from start to end; overlapping steps (parallel tool
 * calls) get lanes of their own. Only the bars in view are drawn; zoom in for detail.
 * The arrow keys select the previous or next step.
 */
export function RunTimeline({
  steps,
  origin,
  selectedSequence,
  upToSequence,
  playheadMs,
  onSelect,
}: RunTimelineProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const width = useWidth(scroller);
  const [zoomIndex, setZoomIndex] = useState(0);
  const [scrollLeft, setScrollLeft] = useState(0);
  const trackWidth = width * (ZOOMS[zoomIndex] ?? 1);
  const spanOfAll = useMemo(() => timelineOf(steps, origin).spanMs, [steps, origin]);
  const pxPerMs = trackWidth / spanOfAll;
  const timeline = useMemo(
    () => timelineOf(steps, origin, SMALLEST_BAR_PX / pxPerMs),
    [steps, origin, pxPerMs],
  );
  const visible = barsInWindow(
    timeline.bars,
    (scrollLeft - OVERSCAN_PX) / pxPerMs,
    (scrollLeft + width + OVERSCAN_PX) / pxPerMs,
  );
  const ticks = axisTicks(timeline.spanMs, Math.max(2, Math.round(trackWidth / 140)));
  const height = AXIS_HEIGHT + timeline.lanes * (LANE_HEIGHT + LANE_GAP);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const sequences = steps.map((step) => step.sequence);
    const index = selectedSequence === null ? -1 : sequences.indexOf(selectedSequence);
    const target =
      event.key === "ArrowRight"
        ? sequences[Math.min(index + 1, sequences.length - 1)]
        : event.key === "ArrowLeft"
          ? sequences[Math.max(index - 1, 0)]
          : event.key === "Home"
            ? sequences[0]
            : event.key === "End"
              ? sequences.at(-1)
              : undefined;
    if (target !== undefined) {
      event.preventDefault();
      onSelect(target);
    }
  };

  return (
    <section aria-label="Timeline" className="glass rounded-2xl px-4 py-3">
      <div className="mb-2 flex items-center gap-2">
        <h2 className="text-sm font-semibold text-white">Timeline</h2>
        <span className="text-xs text-slate-400">
          {formatLatency(timeline.spanMs)} · {timeline.lanes}{" "}
          {timeline.lanes === 1 ? "lane" : "lanes"}
        </span>
        <div className="ml-auto flex gap-1">
          <Button
            variant="ghost"
            size="sm"
            aria-label="Zoom out of the timeline"
            disabled={zoomIndex === 0}
            onClick={() => {
              setZoomIndex((index) => Math.max(0, index - 1));
            }}
          >
            −
          </Button>
          <Button
            variant="ghost"
            size="sm"
            aria-label="Zoom into the timeline"
            disabled={zoomIndex === ZOOMS.length - 1}
            onClick={() => {
              setZoomIndex((index) => Math.min(ZOOMS.length - 1, index + 1));
            }}
          >
            +
          </Button>
        </div>
      </div>
      <div
        ref={scroller}
        role="group"
        aria-label="Steps in time; the left and right arrow keys select the previous or next step"
        tabIndex={0}
        data-testid="run-timeline"
        onKeyDown={onKeyDown}
        onScroll={(event) => {
          setScrollLeft(event.currentTarget.scrollLeft);
        }}
        className="max-h-56 overflow-auto rounded-lg"
      >
        <div className="relative" style={{ width: trackWidth, height }}>
          {ticks.map((tick) => (
            <span
              key={tick}
              aria-hidden="true"
              className="absolute top-0 border-l border-white/10 pl-1 text-[11px] text-slate-300"
              style={{ left: tick * pxPerMs, height }}
            >
              {formatLatency(tick)}
            </span>
          ))}
          {visible.map((bar) => (
            <Bar
              key={bar.step.id}
              bar={bar}
              pxPerMs={pxPerMs}
              selected={bar.step.sequence === selectedSequence}
              dimmed={upToSequence !== null && bar.step.sequence > upToSequence}
              onSelect={onSelect}
            />
          ))}
          {playheadMs !== null && (
            <div
              aria-hidden="true"
              data-testid="timeline-playhead"
              className="pointer-events-none absolute top-0 w-0.5 bg-halo"
              style={{ left: playheadMs * pxPerMs, height }}
            />
          )}
        </div>
      </div>
    </section>
  );
}

interface BarProps {
  bar: TimelineBar;
  pxPerMs: number;
  selected: boolean;
  dimmed: boolean;
  onSelect: (sequence: number) => void;
}

const Bar = memo(function Bar({ bar, pxPerMs, selected, dimmed, onSelect }: BarProps) {
  const { step } = bar;
  return (
    <button
      type="button"
      tabIndex={-1}
      data-testid="timeline-bar"
      data-step-id={step.id}
      data-sequence={step.sequence}
      data-lane={bar.lane}
      aria-label={`Step ${step.sequence}: ${stepTitle(step)}`}
      aria-pressed={selected}
      title={`#${step.sequence} ${stepTitle(step)} · ${formatLatency(bar.endMs - bar.startMs)}`}
      onClick={() => {
        onSelect(step.sequence);
      }}
      className={classNames(
        "absolute rounded-sm",
        STEP_KIND_BARS[step.kind],
        statusRing(step),
        selected && "outline-2 outline-offset-1 outline-white",
        dimmed ? "opacity-25" : "opacity-90 hover:opacity-100",
      )}
      style={{
        left: bar.startMs * pxPerMs,
        width: Math.max(SMALLEST_BAR_PX, (bar.endMs - bar.startMs) * pxPerMs),
        top: AXIS_HEIGHT + bar.lane * (LANE_HEIGHT + LANE_GAP),
        height: LANE_HEIGHT,
      }}
    />
  );
});

/** The element's width, kept up to date as it resizes. */
function useWidth(element: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useEffect(() => {
    const target = element.current;
    if (!target || typeof ResizeObserver === "undefined") {
      return undefined;
    }
    const observer = new ResizeObserver(([entry]) => {
      const measured = entry?.contentRect.width ?? 0;
      if (measured > 0) {
        setWidth(measured);
      }
    });
    observer.observe(target);
    return () => {
      observer.disconnect();
    };
  }, [element]);
  return width;
}
