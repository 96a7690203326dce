import { Button } from "./Button";

interface CursorPagerProps {
  /** What the pages are of, for the navigation's name: "agents" → "Pages of agents". */
  of: string;
  /** The number of the page shown, from 1. */
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** Previous and Next under a table whose pages the server cuts with cursors. */
export function CursorPager({
  of,
  page,
  hasPrevious,
  hasNext,
  onPrevious,
  onNext,
}: CursorPagerProps) {
  return (
    <nav aria-label={`Pages of ${of}`} className="mt-4 flex items-center justify-end gap-3">
      <span className="mr-auto text-sm text-slate-400">Page {page}</span>
      <Button variant="secondary" size="sm" disabled={!hasPrevious} onClick={onPrevious}>
        Previous
      </Button>
      <Button variant="secondary" size="sm" disabled={!hasNext} onClick={onNext}>
        Next
      </Button>
    </nav>
  );
}
