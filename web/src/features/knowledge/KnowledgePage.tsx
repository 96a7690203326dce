import { Search, Upload } from "lucide-react";
import { useRef, useState, type ChangeEvent } from "react";
import { useSearchParams } from "react-router";

import { ApiProblem } from "../../api/client";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { CursorPager } from "../../components/ui/CursorPager";
import { EmptyState } from "../../components/ui/EmptyState";
import { ErrorState } from "../../components/ui/ErrorState";
import { FilterBar } from "../../components/ui/FilterBar";
import { PageHeader } from "../../components/ui/PageHeader";
import { TableSkeleton } from "../../components/ui/Skeleton";
import { SearchField } from "../../components/ui/SearchField";
import { formatDate } from "../../lib/dates";
import { formErrors } from "../../lib/form-errors";
import { useCursorParam } from "../../lib/use-cursor-param";
import { useCurrentWorkspace } from "../shell/use-current-workspace";
import {
  useDeleteDocument,
  useDocuments,
  useKnowledgeSearch,
  useUploadDocument,
  type KnowledgeDocument,
} from "./hooks";
import { documentFromFile, snippetParts } from "./upload";

const size = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${String(bytes)} B` : `${size.format(bytes / 1024)} KiB`;
}

/** What happened to each file of an upload. */
interface UploadOutcome {
  name: string;
  error: string | null;
}

/**
 * `/w/:workspaceId/knowledge`: the documents the workspace's agents search with
 * `knowledge_search`: upload text and Markdown files, search them as agents do, delete
 * them. The search and the page are kept in the address (`?q=`, `?cursor=`).
 */
export function KnowledgePage() {
  const { workspace, team } = useCurrentWorkspace();
  const canWrite = team.role !== "viewer";
  const [params, setParams] = useSearchParams();
  const query = params.get("q") ?? "";
  const { cursors, cursor, moveCursors } = useCursorParam();
  const documents = useDocuments(workspace.id, cursor);
  const [outcomes, setOutcomes] = useState<UploadOutcome[]>([]);
  const [deleting, setDeleting] = useState<KnowledgeDocument | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const upload = useUploadDocument(workspace.id);
  const picker = useRef<HTMLInputElement>(null);

  async function uploadFiles(event: ChangeEvent<HTMLInputElement>) {
    const files = [...(event.target.files ?? [])];
    event.target.value = "";
    setNotice(null);
    const results: UploadOutcome[] = [];
    // One after the other: each is checked, and a refusal names its file.
    for (const file of files) {
      const document = await documentFromFile(file);
      if ("refused" in document) {
        results.push({ name: file.name, error: document.refused });
        continue;
      }
      try {
        await upload.mutateAsync(document);
        results.push({ name: file.name, error: null });
      } catch (error) {
        results.push({
          name: file.name,
          error: error instanceof Error ? error.message : "It could not be uploaded.",
        });
      }
    }
    setOutcomes(results);
  }

  const uploadButton = canWrite ? (
    <Button loading={upload.isPending} onClick={() => picker.current?.click()}>
      <Upload aria-hidden="true" className="size-4" />
      Upload documents
    </Button>
  ) : undefined;

  return (
    <>
      <title>{`Knowledge · ${workspace.name} · Luna`}</title>
      {canWrite && (
        <input
          ref={picker}
          type="file"
          multiple
          accept=".txt,.md,.markdown,text/plain,text/markdown"
          className="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="knowledge-files"
          onChange={(event) => void uploadFiles(event)}
        />
      )}
      <PageHeader
        title="Knowledge"
        description="Documents your agents search with the knowledge_search tool."
        actions={uploadButton}
      />
      {notice && (
        <Alert tone="success" className="mb-6">
          {notice}
        </Alert>
      )}
      <UploadOutcomes outcomes={outcomes} />
      <FilterBar label="Search the documents">
        <SearchField
          label="Search"
          value={query}
          placeholder="Words to look for"
          className="sm:w-96"
          onSearch={(q) => {
            setParams(
              (current) => {
                const next = new URLSearchParams(current);
                next.delete("cursor");
                if (q) {
                  next.set("q", q);
                } else {
                  next.delete("q");
                }
                return next;
              },
              { replace: true },
            );
          }}
        />
      </FilterBar>
      {query.trim() ? (
        <SearchResults workspaceId={workspace.id} query={query} />
      ) : documents.isPending ? (
        <TableSkeleton label="Loading documents" />
      ) : documents.isError ? (
        <ErrorState
          title="The documents could not be loaded"
          message={documents.error.message}
          requestId={documents.error instanceof ApiProblem ? documents.error.requestId : null}
          onRetry={() => void documents.refetch()}
          retrying={documents.isFetching}
        />
      ) : documents.data.items.length === 0 && !cursor ? (
        <EmptyState title="No documents yet" action={uploadButton}>
          Upload notes, runbooks or specifications; agents with the knowledge_search tool find the
          passages they need in them.
        </EmptyState>
      ) : (
        <>
          <DocumentList
            documents={documents.data.items}
            canDelete={canWrite}
            onDelete={(document) => {
              setNotice(null);
              setDeleting(document);
            }}
          />
          <CursorPager
            of="documents"
            cursors={cursors}
            nextCursor={documents.data.next_cursor}
            loading={documents.isPlaceholderData}
            onCursorsChange={moveCursors}
          />
        </>
      )}
      {deleting && (
        <DeleteDocumentDialog
          workspaceId={workspace.id}
          document={deleting}
          onClose={() => {
            setDeleting(null);
          }}
          onDeleted={(document) => {
            setDeleting(null);
            setNotice(`“${document.title}” is deleted.`);
          }}
        />
      )}
    </>
  );
}

function UploadOutcomes({ outcomes }: { outcomes: UploadOutcome[] }) {
  if (outcomes.length === 0) {
    return null;
  }
  const refused = outcomes.filter((outcome) => outcome.error !== null);
  const uploaded = outcomes.length - refused.length;
  return (
    <Alert
      tone={refused.length > 0 ? "warning" : "success"}
      title={`${String(uploaded)} of ${String(outcomes.length)} uploaded`}
      className="mb-6"
    >
      {refused.length > 0 && (
        <ul className="list-disc pl-5">
          {refused.map((outcome, index) => (
            // Two files of one upload may share a name.
            <li key={index}>
              <span className="font-medium">{outcome.name}</span>: {outcome.error}
            </li>
          ))}
        </ul>
      )}
    </Alert>
  );
}

function DocumentList({
  documents,
  canDelete,
  onDelete,
}: {
  documents: KnowledgeDocument[];
  canDelete: boolean;
  onDelete: (document: KnowledgeDocument) => void;
}) {
  return (
    <ul aria-label="Documents" className="glass divide-y divide-white/8 rounded-2xl">
      {documents.map((document) => (
        <li
          key={document.id}
          data-testid="knowledge-document"
          className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3"
        >
          <div className="min-w-0 flex-1">
            <p className="truncate font-medium text-white">{document.title}</p>
            <p className="text-xs text-slate-400">
              {document.media_type === "text/markdown" ? "Markdown" : "Text"} ·{" "}
              {formatSize(document.size_bytes)} · added{" "}
              <time dateTime={document.created_at}>{formatDate(document.created_at)}</time>
            </p>
          </div>
          {canDelete && (
            <Button
              variant="ghost"
              size="sm"
              className="text-rose-300 hover:text-rose-200"
              aria-label={`Delete ${document.title}`}
              onClick={() => {
                onDelete(document);
              }}
            >
              Delete
            </Button>
          )}
        </li>
      ))}
    </ul>
  );
}

function SearchResults({ workspaceId, query }: { workspaceId: string; query: string }) {
  const results = useKnowledgeSearch(workspaceId, query);
  if (results.isPending) {
    return <TableSkeleton label="Searching" />;
  }
  if (results.isError) {
    return (
      <ErrorState
        title="The search failed"
        message={results.error.message}
        requestId={results.error instanceof ApiProblem ? results.error.requestId : null}
        onRetry={() => void results.refetch()}
        retrying={results.isFetching}
      />
    );
  }
  if (results.data.items.length === 0) {
    return (
      <EmptyState title="Nothing matches">
        No document holds these words. Agents searching for them would find nothing either.
      </EmptyState>
    );
  }
  return (
    <ol aria-label="Search results" className="space-y-3">
      {results.data.items.map((hit) => (
        <li
          key={hit.document_id}
          data-testid="knowledge-hit"
          className="glass rounded-xl px-4 py-3"
        >
          <p className="flex items-center gap-2 font-medium text-white">
            <Search aria-hidden="true" className="size-4 text-slate-400" />
            {hit.title}
          </p>
          <p className="mt-1 text-sm text-slate-300">
            {snippetParts(hit.snippet).map((part, index) =>
              part.match ? (
                <mark key={index} className="rounded bg-luna-400/25 px-0.5 text-white">
                  {part.text}
                </mark>
              ) : (
                <span key={index}>{part.text}</span>
              ),
            )}
          </p>
        </li>
      ))}
    </ol>
  );
}

function DeleteDocumentDialog({
  workspaceId,
  document,
  onClose,
  onDeleted,
}: {
  workspaceId: string;
  document: KnowledgeDocument;
  onClose: () => void;
  onDeleted: (document: KnowledgeDocument) => void;
}) {
  const remove = useDeleteDocument(workspaceId);
  return (
    <ConfirmDialog
      title={`Delete “${document.title}”?`}
      description="Agents no longer find it from the moment it is deleted. This cannot be undone."
      confirmLabel="Delete document"
      cancelLabel="Keep it"
      busy={remove.isPending}
      error={formErrors(remove.error, [])}
      onClose={onClose}
      onConfirm={() => {
        remove.mutate(document, {
          onSuccess: () => {
            onDeleted(document);
          },
        });
      }}
    />
  );
}
