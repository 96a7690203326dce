import "./app/styles.css";

import { QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router/dom";

import { routeEmailLinkIntoApp } from "./app/email-links";
import { createQueryClient } from "./app/query-client";
import { createAppRouter } from "./app/router";

routeEmailLinkIntoApp(window.location, window.history, import.meta.env.BASE_URL);

const queryClient = createQueryClient();
const router = createAppRouter();
const root = document.getElementById("root");
if (!root) {
  throw new Error("index.html has no #root element");
}

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
