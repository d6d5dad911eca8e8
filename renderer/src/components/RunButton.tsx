import type { ReactNode } from 'react';

/**
 * A step's start button, which becomes Cancel while its run is going. When the form cannot run yet,
 * the button is disabled and `why` says what is missing (its tooltip).
 */
export function RunButton({
  running,
  onRun,
  onCancel,
  disabled = false,
  why,
  children,
}: {
  running: boolean;
  onRun: () => void;
  onCancel: () => void;
  disabled?: boolean;
  why?: string;
  children: ReactNode;
}) {
  return running ? (
    <button type="button" onClick={onCancel}>
      Cancel
    </button>
  ) : (
    <button type="button" className="primary" onClick={onRun} disabled={disabled} title={why}>
      {children}
    </button>
  );
}
