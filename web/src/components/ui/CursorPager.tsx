import { Button } from "./Button";

interface CursorPagerProps {
  /** What the pages are of, for the navigation's name: "agents" → "Pages of agents". */
  of: string;
  /** The cursors of the pages before the one shown, first page's successor first. */
  cursors: readonly string[];
  /** Where the server says the next page starts; null on the last page. */
  nextCursor: string | null | undefined;
  /** The rows shown are still the previous page's while another loads: Next waits for it. */
  loading: boolean;
  /**
   * Turns the page: `move` gives the cursors of the new page from the current ones (one
   * more for Next, one fewer for Previous), so that it applies to the latest view.
   */
  onCursorsChange: (move: (cursors: string[]) => string[]) => void;
}

/**
 * Previous and Next under a table whose pages the server cuts with cursors; nothing when
 * everything fits on the first page.
 */
export function CursorPager({
  of,
  cursors,
  nextCursor,
  loading,
  onCursorsChange,
}: CursorPagerProps) {
  if (cursors.length === 0 && !nextCursor) {
    return null;
  }
  return (
    <nav aria-label={`Pages of ${of}`} className="mt-4 flex items-center justify-end gap-3">
      <span className="mr-auto text-sm text-slate-400">Page {cursors.length + 1}</span>
      <Button
        variant="secondary"
        size="sm"
        disabled={cursors.length === 0}
        onClick={() => {
          onCursorsChange((current) => current.slice(0, -1));
        }}
      >
        Previous
      </Button>
      <Button
        variant="secondary"
        size="sm"
        disabled={!nextCursor || loading}
        onClick={() => {
          if (nextCursor) {
            onCursorsChange((current) => [...current, nextCursor]);
          }
        }}
      >
        Next
      </Button>
    </nav>
  );
}
