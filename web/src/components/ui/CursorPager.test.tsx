import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { CursorPager } from "./CursorPager";

type Move = (cursors: string[]) => string[];

function renderPager(props: { cursors: string[]; nextCursor: string | null; loading?: boolean }) {
  const onCursorsChange = vi.fn<(move: Move) => void>();
  render(<CursorPager of="runs" loading={false} onCursorsChange={onCursorsChange} {...props} />);
  const pages = screen.getByRole("navigation", { name: "Pages of runs" });
  return {
    pages,
    previous: within(pages).getByRole("button", { name: "Previous" }),
    next: within(pages).getByRole("button", { name: "Next" }),
    /** The cursors the last page turn gives, from those of the latest view. */
    movedFrom: (latest: string[]) => onCursorsChange.mock.lastCall?.[0](latest),
  };
}

describe("CursorPager", () => {
  it("on the first page, goes only forward, to the server's next cursor", async () => {
    const user = userEvent.setup();
    const { pages, previous, next, movedFrom } = renderPager({ cursors: [], nextCursor: "c2" });
    expect(pages).toHaveTextContent("Page 1");
    expect(previous).toBeDisabled();
    await user.click(next);
    expect(movedFrom([])).toEqual(["c2"]);
  });

  it("goes back by dropping the last cursor", async () => {
    const user = userEvent.setup();
    const { pages, previous, next, movedFrom } = renderPager({
      cursors: ["c2", "c3"],
      nextCursor: null,
    });
    expect(pages).toHaveTextContent("Page 3");
    expect(next).toBeDisabled();
    await user.click(previous);
    expect(movedFrom(["c2", "c3"])).toEqual(["c2"]);
  });

  it("waits with Next while the shown rows are still the previous page's", () => {
    const { next } = renderPager({ cursors: ["c2"], nextCursor: "c3", loading: true });
    expect(next).toBeDisabled();
  });
});
