/**
 * A sheet over the window (a modal dialog): focus moves into it, Tab stays inside, Escape does what
 * its `onEscape` says, and when it closes the focus goes back to where it came from.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';

export function Sheet({
  title,
  children,
  onEscape,
  busy,
  class: extra,
}: {
  title: ComponentChildren;
  children: ComponentChildren;
  onEscape?: () => void;
  busy?: boolean;
  class?: string;
}) {
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const escape = useRef(onEscape);
  escape.current = onEscape;

  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('[data-autofocus]') ?? box.current?.querySelector<HTMLElement>('button');
    first?.focus();
    return () => {
      if (back && document.contains(back)) back.focus();
    };
  }, []);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && escape.current) {
      e.preventDefault();
      escape.current();
      return;
    }
    if (e.key !== 'Tab' || !box.current) return;
    const focusable = Array.from(box.current.querySelectorAll<HTMLElement>('button:not(:disabled), [href], input, [tabindex="0"]'));
    if (focusable.length === 0) return;
    const first = focusable[0]!;
    const last = focusable[focusable.length - 1]!;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return (
    <div class="sheet-backdrop">
      <div
        ref={box}
        class={['sheet', extra].filter(Boolean).join(' ')}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-busy={busy}
        onKeyDown={onKeyDown}
      >
        <h2 id={titleId} class="sheet-title">
          {title}
        </h2>
        {children}
      </div>
    </div>
  );
}
