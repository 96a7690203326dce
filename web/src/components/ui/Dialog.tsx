import {
  useEffect,
  useId,
  useRef,
  type KeyboardEvent,
  type ReactNode,
  type RefObject,
} from "react";
import { createPortal } from "react-dom";

import { classNames } from "../../lib/class-names";

const FOCUSABLE = [
  "a[href]",
  "button:not([disabled])",
  "input:not([disabled]):not([type='hidden'])",
  "select:not([disabled])",
  "textarea:not([disabled])",
  "[tabindex]:not([tabindex='-1'])",
].join(",");

function focusableIn(container: HTMLElement): HTMLElement[] {
  return Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (element) => !element.closest("[inert]"),
  );
}

interface DialogProps {
  open: boolean;
  /** Called on Escape, on a click outside, and by the dialog's own buttons. */
  onClose: () => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
  /** `alertdialog` for confirmations of destructive actions. */
  role?: "dialog" | "alertdialog";
  /** The element focused on opening; the first focusable one by default. */
  initialFocus?: RefObject<HTMLElement | null>;
  /** While false (an action is in flight), Escape and outside clicks do nothing. */
  dismissible?: boolean;
  size?: "md" | "lg";
}

/**
 * A modal dialog: focus moves into it and cannot leave it with Tab, the rest of the page
 * is inert, Escape closes it, and focus returns where it was when it closes.
 */
export function Dialog({ open, ...props }: DialogProps) {
  if (!open) {
    return null;
  }
  return createPortal(<ModalDialog {...props} />, document.body);
}

function ModalDialog({
  onClose,
  title,
  description,
  children,
  role = "dialog",
  initialFocus,
  dismissible = true,
  size = "md",
}: Omit<DialogProps, "open">) {
  const overlayRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const overlay = overlayRef.current;
    const panel = panelRef.current;
    if (!overlay || !panel) {
      return;
    }
    const previouslyFocused =
      document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const madeInert = Array.from(document.body.children).filter(
      (element): element is HTMLElement =>
        element instanceof HTMLElement && element !== overlay && !element.inert,
    );
    for (const element of madeInert) {
      element.inert = true;
    }
    document.body.classList.add("overflow-hidden");
    (initialFocus?.current ?? focusableIn(panel)[0] ?? panel).focus();
    return () => {
      for (const element of madeInert) {
        element.inert = false;
      }
      document.body.classList.remove("overflow-hidden");
      if (previouslyFocused?.isConnected) {
        previouslyFocused.focus();
      }
    };
  }, [initialFocus]);

  function handleKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === "Escape") {
      event.stopPropagation();
      if (dismissible) {
        onClose();
      }
      return;
    }
    if (event.key !== "Tab" || !panelRef.current) {
      return;
    }
    const focusable = focusableIn(panelRef.current);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    if (
      event.shiftKey &&
      (document.activeElement === first || document.activeElement === panelRef.current)
    ) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <div
      ref={overlayRef}
      className="fixed inset-0 z-50 flex items-end justify-center overflow-y-auto p-4 sm:items-center"
    >
      <div
        className="fixed inset-0 bg-night/70 backdrop-blur-sm motion-safe:animate-fade-in"
        aria-hidden="true"
        onClick={dismissible ? onClose : undefined}
      />
      <div
        ref={panelRef}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        onKeyDown={handleKeyDown}
        className={classNames(
          "glass relative w-full rounded-2xl bg-night-raised/85 p-6 motion-safe:animate-rise",
          size === "lg" ? "max-w-xl" : "max-w-md",
        )}
      >
        <h2 id={titleId} className="text-lg font-semibold text-white">
          {title}
        </h2>
        {description && (
          <div id={descriptionId} className="mt-1.5 text-sm text-slate-400">
            {description}
          </div>
        )}
        <div className="mt-5">{children}</div>
      </div>
    </div>
  );
}
