/**
 * What the run graph needs of the browser in jsdom: React Flow measures with
 * `ResizeObserver` and reads the zoom from `DOMMatrixReadOnly`, which jsdom lacks (nodes
 * render unmeasured), and a run followed live opens an `EventSource`, which the test
 * drives. Vitest puts the real globals back after each test.
 */
import { act } from "@testing-library/react";
import { vi } from "vitest";

class NoResizeObserver {
  observe() {
    return undefined;
  }
  unobserve() {
    return undefined;
  }
  disconnect() {
    return undefined;
  }
}

class IdentityMatrix {
  m22 = 1;
}

/** The browser's EventSource, driven by the test. */
export class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static opened: FakeEventSource[] = [];
  readonly url: string;
  readyState = FakeEventSource.CONNECTING;

  constructor(url: string) {
    super();
    this.url = url;
    FakeEventSource.opened.push(this);
  }

  close() {
    this.readyState = FakeEventSource.CLOSED;
  }

  /** Sends an event as the server would, with `id` as its `Last-Event-ID`. */
  emit(event: string, data: unknown, id?: number) {
    act(() => {
      this.dispatchEvent(
        new MessageEvent(event, { data: JSON.stringify(data), lastEventId: id ? String(id) : "" }),
      );
    });
  }
}

/** The stream opened last whose address names `runId`. */
export function streamOf(runId: string): FakeEventSource {
  const found = FakeEventSource.opened.findLast((source) => source.url.includes(`/${runId}/`));
  if (!found) {
    throw new Error(`no stream of ${runId}`);
  }
  return found;
}

/** Stubs what React Flow measures with, and `EventSource`; call it before each test. */
export function stubGraphBrowser() {
  vi.stubGlobal("ResizeObserver", NoResizeObserver);
  vi.stubGlobal("DOMMatrixReadOnly", IdentityMatrix);
  vi.stubGlobal("EventSource", FakeEventSource);
  FakeEventSource.opened = [];
}
