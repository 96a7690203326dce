import { useSearchParams } from "react-router";

/**
 * The cursors of the pages before the one shown, kept in the address (`?cursor=`, the
 * first page's successor first), for a list that pages with `CursorPager`.
 */
export function useCursorParam() {
  const [params, setParams] = useSearchParams();
  const cursors = params.getAll("cursor");
  function moveCursors(move: (cursors: string[]) => string[]) {
    setParams((current) => {
      const updated = new URLSearchParams(current);
      updated.delete("cursor");
      for (const value of move(current.getAll("cursor"))) {
        updated.append("cursor", value);
      }
      return updated;
    });
  }
  return { cursors, cursor: cursors.at(-1) ?? null, moveCursors };
}
