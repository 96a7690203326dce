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
import {
  axisTicks,
  barsInWindow,
  lanesInView,
  scrollToReveal,
  timelineOf,
  type TimelineBar,
  type TimelineModel,
} from "./timeline-model";

const LANE_HEIGHT = 14;
const LANE_GAP = 4;
const LANE_STEP = LANE_HEIGHT + LANE_GAP;
const AXIS_HEIGHT = 18;
const SMALLEST_BAR_PX = 4;
/** How far past the visible part bars are still drawn, in pixels and in lanes. */
const OVERSCAN_PX = 200;
const OVERSCAN_LANES = 4;
/** The strip's height at most (`max-h-56`): past it, the lanes scroll. */
const VIEWPORT_HEIGHT = 224;
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
 * calls) get lanes of their own. Only the bars in view, across and down, are drawn, so
 * that hundreds of parallel calls stay quick to scroll; zoom in for detail. The arrow
 * keys select the previous or next step, scrolling it into view.
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
  const [scroll, setScroll] = useState({ left: 0, top: 0 });
  const trackWidth = width * (ZOOMS[zoomIndex] ?? 1);
  const spanOfAll = useMemo(() => timelineOf(steps, origin).spanMs, [steps, origin]);
  const pxPerMs = trackWidth / spanOfAll;
  const timeline = useMemo(
    () => timelineOf(steps, origin, SMALLEST_BAR_PX / pxPerMs),
    [steps, origin, pxPerMs],
  );
  const visible = barsInWindow(timeline.bars, {
    fromMs: (scroll.left - OVERSCAN_PX) / pxPerMs,
    toMs: (scroll.left + width + OVERSCAN_PX) / pxPerMs,
    ...lanesInView(scroll.top, VIEWPORT_HEIGHT, {
      laneHeight: LANE_STEP,
      topOffset: AXIS_HEIGHT,
      overscan: OVERSCAN_LANES,
    }),
  });
  const ticks = axisTicks(timeline.spanMs, Math.max(2, Math.round(trackWidth / 140)));
  const height = AXIS_HEIGHT + timeline.lanes * LANE_STEP;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const target = keyTarget(event.key, steps, selectedSequence);
    if (target !== undefined) {
      event.preventDefault();
      reveal(scroller.current, timeline, target, { pxPerMs, width });
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
          const { scrollLeft, scrollTop } = event.currentTarget;
          setScroll({ left: scrollLeft, top: scrollTop });
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
        top: AXIS_HEIGHT + bar.lane * LANE_STEP,
        height: LANE_HEIGHT,
      }}
    />
  );
});

/** The step the key selects: the next or previous one, the first or the last. */
function keyTarget(
  key: string,
  steps: readonly Step[],
  selectedSequence: number | null,
): number | undefined {
  const index =
    selectedSequence === null ? -1 : steps.findIndex((step) => step.sequence === selectedSequence);
  const targets: Record<string, Step | undefined> = {
    ArrowRight: steps[Math.min(index + 1, steps.length - 1)],
    ArrowLeft: steps[Math.max(index - 1, 0)],
    Home: steps[0],
    End: steps.at(-1),
  };
  return targets[key]?.sequence;
}

/** Scrolls the strip so that the step's bar, which may not be drawn yet, is in view. */
function reveal(
  strip: HTMLElement | null,
  timeline: TimelineModel,
  sequence: number,
  { pxPerMs, width }: { pxPerMs: number; width: number },
) {
  const bar = timeline.bars.find((candidate) => candidate.step.sequence === sequence);
  if (!strip || !bar) {
    return;
  }
  // From the top of the lane above (or of the axis, above the first lane).
  const above = bar.lane * LANE_STEP;
  strip.scrollTop = scrollToReveal(
    above,
    above + LANE_STEP + LANE_HEIGHT,
    strip.scrollTop,
    VIEWPORT_HEIGHT,
  );
  strip.scrollLeft = scrollToReveal(
    bar.startMs * pxPerMs,
    bar.endMs * pxPerMs,
    strip.scrollLeft,
    width,
  );
}

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
