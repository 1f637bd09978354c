// A modal dialog: the rest of the page is inert while it is open, Tab and Shift+Tab stay
// inside it, Escape closes it, and focus goes back where it was when it closes.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface Props {
  title: string;
  open: boolean;
  onClose(): void;
  children: ComponentChildren;
}

let nextId = 0;

const FOCUSABLE =
  'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export function Dialog({ title, open, onClose, children }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  const id = useRef(`dialog-${++nextId}`);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      returnTo.current = document.activeElement as HTMLElement | null;
      d.showModal();
      (d.querySelector<HTMLElement>('[data-autofocus]') ?? d.querySelector<HTMLElement>(FOCUSABLE))?.focus();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);
  const onKeyDown = (e: KeyboardEvent): void => {
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };
  const onDialogClose = (): void => {
    returnTo.current?.focus();
    if (open) onClose();
  };
  return (
    <dialog ref={ref} aria-labelledby={id.current} onKeyDown={onKeyDown} onClose={onDialogClose}>
      <h2 id={id.current}>{title}</h2>
      {open ? children : null}
    </dialog>
  );
}
