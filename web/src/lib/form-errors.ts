import { ApiProblem } from "../api/client";

/** What a form shows for a failed submission: messages by field, and one for the form. */
export interface FormErrors {
  fields: Partial<Record<string, string>>;
  message: string | null;
  requestId: string | null;
}

const NO_ERRORS: FormErrors = { fields: {}, message: null, requestId: null };

/**
 * Places a problem's messages: each field error next to its field when the form shows
 * that field, and everything else (the problem's `detail`, errors about fields the form
 * does not show) in the form's alert.
 */
export function formErrors(error: unknown, visibleFields: readonly string[]): FormErrors {
  if (error === null || error === undefined) {
    return NO_ERRORS;
  }
  if (!(error instanceof ApiProblem)) {
    return { fields: {}, message: "Something went wrong. Please try again.", requestId: null };
  }
  const fields: Partial<Record<string, string>> = {};
  const elsewhere: string[] = [];
  for (const [field, message] of Object.entries(error.fieldErrors())) {
    if (visibleFields.includes(field)) {
      fields[field] = message;
    } else {
      elsewhere.push(message);
    }
  }
  const placed = Object.keys(fields).length > 0;
  let message: string | null = error.problem.detail;
  if (placed && error.code === "validation-failed") {
    message = elsewhere.length > 0 ? elsewhere.join(" ") : "Please correct the highlighted fields.";
  } else if (placed) {
    message = null;
  }
  return { fields, message, requestId: error.requestId };
}
