import { useEffect, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: focus moves into it (first field), Tab and Shift+Tab stay inside, Escape closes
 * it, and focus returns to what opened it. The page behind is inert while it is open.
 */
export function Modal(props: { labelledBy: string; onClose(): void; children: ReactNode; testid?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const { onClose } = props;
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    // The app behind the dialog (rendered outside it, in <body>) is inert: no focus, no clicks,
    // hidden from assistive technology.
    const app = document.getElementById('root');
    app?.setAttribute('inert', '');
    box.current?.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onClose();
        return;
      }
      if (e.key !== 'Tab' || !box.current) return;
      const items = [...box.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      if (items.length === 0) return;
      const first = items[0]!;
      const last = items.at(-1)!;
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      app?.removeAttribute('inert');
      opener?.focus();
    };
  }, [onClose]);
  return createPortal(
    <div className="modal-backdrop">
      <div
        ref={box}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={props.labelledBy}
        data-testid={props.testid}
      >
        {props.children}
      </div>
    </div>,
    document.body,
  );
}
