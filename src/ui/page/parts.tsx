// Small pieces every view uses: the view's heading (focused when the view opens, so a
// screen reader starts there), loading and error notes, and the page's links.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

export function Heading({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 id="view-title" tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Failure({ message }: { message: string }) {
  return (
    <p class="error" role="alert">
      {message}
    </p>
  );
}

export const repoHref = (repository: string): string => `#/repo/${encodeURIComponent(repository)}`;
export const imageHref = (repository: string, reference: string): string =>
  `#/image/${encodeURIComponent(repository)}/${encodeURIComponent(reference)}`;

export function Time({ date, text }: { date: string | undefined; text: string }) {
  if (date === undefined || text === '') return <Unknown />;
  return (
    <time dateTime={date} title={new Date(date).toLocaleString()}>
      {text}
    </time>
  );
}

/** A cell with nothing to show: a dash on screen, words for a screen reader. */
export function Unknown() {
  return (
    <span class="muted">
      <span aria-hidden="true">—</span>
      <span class="sr-only">not known</span>
    </span>
  );
}
