/**
 * The charts' colours, from the app's palette (web/src/app/styles.css) on its night
 * background. Recharts paints SVG attributes, so they are values here rather than classes.
 */
export const CHART_COLORS = {
  runs: "#a78bfa", // luna-400
  tokensIn: "#22d3ee", // halo
  tokensOut: "#c4b5fd", // luna-300
  cost: "#34d399", // emerald-400
  grid: "rgb(255 255 255 / 0.08)",
  axis: "#94a3b8", // slate-400
  cursor: "rgb(255 255 255 / 0.05)",
} as const;

export const AXIS_TICK = { fill: CHART_COLORS.axis, fontSize: 12 } as const;

/** The tooltip as a raised night panel, like the app's dialogs. */
export const TOOLTIP_STYLES = {
  contentStyle: {
    backgroundColor: "#12122a", // night-raised
    border: "1px solid rgb(255 255 255 / 0.12)",
    borderRadius: "0.5rem",
    color: "#e2e8f0", // slate-200
    fontSize: "0.8125rem",
  },
  labelStyle: { color: "#ffffff", fontWeight: 600 },
  itemStyle: { paddingBlock: 1 },
  cursor: { fill: CHART_COLORS.cursor },
} as const;

export const LEGEND_STYLE = { fontSize: "0.75rem", color: CHART_COLORS.axis } as const;
