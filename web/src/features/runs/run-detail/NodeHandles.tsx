import { Handle, Position } from "@xyflow/react";
import type { ReactNode } from "react";

interface NodeHandlesProps {
  sourcePosition?: Position;
  targetPosition?: Position;
  children: ReactNode;
}

/**
 * A graph node's body between its hidden, unconnectable handles: edges come in on the
 * left and leave on the right unless the layout says otherwise.
 */
export function NodeHandles({ sourcePosition, targetPosition, children }: NodeHandlesProps) {
  return (
    <>
      <Handle
        type="target"
        position={targetPosition ?? Position.Left}
        isConnectable={false}
        className="opacity-0"
      />
      {children}
      <Handle
        type="source"
        position={sourcePosition ?? Position.Right}
        isConnectable={false}
        className="opacity-0"
      />
    </>
  );
}
