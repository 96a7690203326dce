import { Alert } from "./Alert";

interface FormAlertProps {
  message: string | null;
  requestId?: string | null;
}

/** A form's own error, above its fields; nothing when there is none. */
export function FormAlert({ message, requestId }: FormAlertProps) {
  if (!message) {
    return null;
  }
  return (
    <Alert tone="error">
      {message}
      {requestId && (
        <span className="mt-1 block text-xs opacity-70">
          Request id <code className="font-mono">{requestId}</code>
        </span>
      )}
    </Alert>
  );
}
