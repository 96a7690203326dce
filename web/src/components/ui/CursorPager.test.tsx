import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { CursorPager } from "./CursorPager";

describe("CursorPager", () => {
  it("is not drawn when everything fits on the first page", () => {
    const { container } = render(
      <CursorPager
        of="runs"
        cursors={[]}
        nextCursor={null}
        loading={false}
        onCursorsChange={vi.fn()}
      />,
    );
    expect(container).toBeEmptyDOMElement();
  });

  it("is drawn on a first page with more after it, and on any later page", () => {
    const { rerender } = render(
      <CursorPager
        of="runs"
        cursors={[]}
        nextCursor="c2"
        loading={false}
        onCursorsChange={vi.fn()}
      />,
    );
    expect(screen.getByRole("navigation", { name: "Pages of runs" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Previous" })).toBeDisabled();
    rerender(
      <CursorPager
        of="runs"
        cursors={["c2"]}
        nextCursor={null}
        loading={false}
        onCursorsChange={vi.fn()}
      />,
    );
    expect(screen.getByRole("button", { name: "Next" })).toBeDisabled();
    expect(screen.getByText("Page 2")).toBeInTheDocument();
  });
});
