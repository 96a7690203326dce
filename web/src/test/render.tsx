import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";

interface RenderOptions {
  /** The route the element is mounted at, such as `/w/:workspaceId/api-keys`. */
  path?: string;
  /** The address the router starts at. */
  url?: string;
  /** Other routes, to land on after a navigation. */
  otherRoutes?: RouteObject[];
}

/** Renders a page with a fresh query client and an in-memory router. */
export function renderPage(
  element: ReactElement,
  { path = "/", url = path, otherRoutes = [] }: RenderOptions = {},
) {
  return renderRoutes([{ path, element }, ...otherRoutes], url);
}

/** Renders routes with a fresh query client, starting at `url`. */
export function renderRoutes(routes: RouteObject[], url: string) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [url] });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { ...view, router, queryClient };
}
