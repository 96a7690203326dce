/** Reading files the browser was given into documents the API takes. */
import type { NewDocument } from "./hooks";

/** The API's limit on a document, in bytes of UTF-8. */
export const MAX_DOCUMENT_BYTES = 512 * 1024;

const MARKDOWN = /\.(md|markdown)$/i;
const TEXT = /\.(txt|text|md|markdown)$/i;

/** A file as a document, or why it cannot be one; its name becomes the title. */
export async function documentFromFile(file: File): Promise<NewDocument | { refused: string }> {
  if (!TEXT.test(file.name) && !file.type.startsWith("text/")) {
    return { refused: "Only text and Markdown files (.txt, .md) can be uploaded." };
  }
  if (file.size > MAX_DOCUMENT_BYTES) {
    return { refused: "It is larger than 512 KiB." };
  }
  let content: string;
  try {
    content = new TextDecoder("utf-8", { fatal: true }).decode(await file.arrayBuffer());
  } catch {
    return { refused: "It is not UTF-8 text." };
  }
  if (content.trim() === "") {
    return { refused: "It is empty." };
  }
  return {
    title: file.name.slice(0, 200),
    content,
    media_type:
      MARKDOWN.test(file.name) || file.type === "text/markdown" ? "text/markdown" : "text/plain",
  };
}

/** A search hit's snippet in pieces, the matched words (between `**`) marked. */
export function snippetParts(snippet: string): { text: string; match: boolean }[] {
  return snippet
    .split("**")
    .map((text, index) => ({ text, match: index % 2 === 1 }))
    .filter((part) => part.text !== "");
}
