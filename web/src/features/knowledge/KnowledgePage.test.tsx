import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { json, noContent, page } from "../../test/fake-api";
import { renderWorkspacePage } from "../../test/workspace";
import { KnowledgePage } from "./KnowledgePage";

const DOCUMENTS = "/api/v1/workspaces/ws_1/knowledge/documents";
const SEARCH = "/api/v1/workspaces/ws_1/knowledge/search";

const runbook = {
  id: "doc_1",
  title: "runbook.md",
  media_type: "text/markdown",
  size_bytes: 2048,
  created_at: "2026-12-01T10:00:00Z",
  created_by_user_id: "usr_1",
};

function renderKnowledge(role = "owner", answers = {}) {
  return renderWorkspacePage({ path: "knowledge", element: <KnowledgePage />, role, answers });
}

describe("KnowledgePage", () => {
  it("uploads text and Markdown files and says which files it refused and why", async () => {
    const user = userEvent.setup({ applyAccept: false });
    const { requests } = renderKnowledge("member", {
      [`GET ${DOCUMENTS}`]: [page([]), page([runbook])],
      [`POST ${DOCUMENTS}`]: json(runbook, 201),
    });
    await screen.findByRole("heading", { name: "No documents yet" });
    const files = [
      new File(["# Restarting the worker\\n\\nRun `luna worker`."], "runbook.md", {
        type: "text/markdown",
      }),
      new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], "diagram.png", { type: "image/png" }),
      new File([new Uint8Array([0xff, 0xfe, 0x00])], "notes.txt", { type: "text/plain" }),
    ];
    await user.upload(screen.getByTestId("knowledge-files"), files);

    const outcome = await screen.findByText("1 of 3 uploaded");
    const alert = outcome.closest("[role=alert], [role=status]") ?? document.body;
    expect(alert).toHaveTextContent("diagram.png: Only text and Markdown files");
    expect(alert).toHaveTextContent("notes.txt: It is not UTF-8 text.");
    const posts = requests.filter((request) => request.method === "POST");
    expect(posts.map((request) => request.body)).toEqual([
      {
        title: "runbook.md",
        content: "# Restarting the worker\\n\\nRun `luna worker`.",
        media_type: "text/markdown",
      },
    ]);
    expect(await screen.findByTestId("knowledge-document")).toHaveTextContent("runbook.md");
  });

  it("searches the documents as agents do, with the matched words marked, from the address", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderKnowledge("viewer", {
      [`GET ${DOCUMENTS}`]: page([runbook]),
      [`GET ${SEARCH}`]: json({
        query: "worker",
        items: [
          {
            document_id: "doc_1",
            title: "runbook.md",
            snippet: "Restart the **worker** first",
            score: 1.5,
          },
        ],
      }),
    });
    await screen.findByTestId("knowledge-document");
    // A viewer reads and searches, but neither uploads nor deletes.
    expect(screen.queryByRole("button", { name: /Upload/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Delete/ })).not.toBeInTheDocument();

    await user.type(screen.getByRole("searchbox", { name: "Search" }), "worker");
    const hit = await screen.findByTestId("knowledge-hit");
    expect(within(hit).getByText("worker", { selector: "mark" })).toBeInTheDocument();
    expect(router.state.location.search).toBe("?q=worker");
    expect(requests.filter((request) => request.path === SEARCH).at(-1)?.query).toEqual({
      q: "worker",
      limit: "10",
    });
  });

  it("deletes a document once confirmed", async () => {
    const user = userEvent.setup();
    const { requests } = renderKnowledge("owner", {
      [`GET ${DOCUMENTS}`]: [page([runbook]), page([])],
      [`DELETE ${DOCUMENTS}/doc_1`]: noContent(),
    });
    await user.click(await screen.findByRole("button", { name: "Delete runbook.md" }));
    await user.click(screen.getByRole("button", { name: "Delete document" }));
    expect(await screen.findByText("“runbook.md” is deleted.")).toBeInTheDocument();
    await waitFor(() => {
      expect(requests.some((request) => request.method === "DELETE")).toBe(true);
    });
  });
});
