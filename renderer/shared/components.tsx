/**
 * The few controls both windows are made of. Each is labelled for a screen reader and usable with
 * the keyboard alone; none carries inline style (the CSP allows stylesheets only).
 */
import type { ComponentChildren, JSX } from 'preact';
import { useId } from 'preact/hooks';
import { exactTime, timeAgo } from './format.js';
import { useNow } from './hooks.js';

type ButtonProps = Omit<JSX.ButtonHTMLAttributes<HTMLButtonElement>, 'class' | 'className'> & {
  variant?: 'default' | 'primary' | 'destructive' | 'link';
  small?: boolean;
  class?: string;
};

/** A macOS push button. `type="button"` unless said otherwise: no accidental form submits. */
export function Button({ variant = 'default', small, class: extra, type = 'button', ...rest }: ButtonProps) {
  const cls = ['button', variant !== 'default' && variant, small && 'small', extra].filter(Boolean).join(' ');
  return <button type={type} class={cls} {...rest} />;
}

export interface FieldProps {
  label: ComponentChildren;
  /** Shown under the control in red, linked by aria-describedby, and marks the control aria-invalid. */
  error?: string | null;
  hint?: ComponentChildren;
  class?: string;
  /**
   * Renders the control with the ids that tie it to its label, hint and error:
   * `(ids) => <input id={ids.id} aria-describedby={ids.describedBy} aria-invalid={ids.invalid} />`.
   */
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ComponentChildren;
}

/** A label, a control, an optional hint and an error message, all linked for assistive technology. */
export function Field({ label, error, hint, class: extra, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={['field', error && 'invalid', extra].filter(Boolean).join(' ')}>
      <label for={id}>{label}</label>
      {children({ id, describedBy, invalid: !!error })}
      {hint ? (
        <div id={hintId} class="hint">
          {hint}
        </div>
      ) : null}
      {error ? (
        <div id={errorId} class="error">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export interface BannerProps {
  kind?: 'info' | 'warning' | 'error';
  title: ComponentChildren;
  children?: ComponentChildren;
  /** Buttons that act on what the banner says. */
  actions?: ComponentChildren;
  class?: string;
}

/** A message that belongs to the whole window or a card: what happened, what to do, the button that does it. */
export function Banner({ kind = 'info', title, children, actions, class: extra }: BannerProps) {
  const titleId = useId();
  return (
    <section class={['banner', kind, extra].filter(Boolean).join(' ')} aria-labelledby={titleId}>
      <div id={titleId} class="banner-title">
        {title}
      </div>
      {children}
      {actions ? <div class="button-row">{actions}</div> : null}
    </section>
  );
}

/** "2 hours ago", kept fresh, with the exact time on hover and in the <time> element. */
export function RelativeTime({ iso, prefix }: { iso: string; prefix?: string }) {
  const now = useNow(15_000);
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  const exact = exactTime(d);
  return (
    <time dateTime={iso} title={exact}>
      {prefix}
      {timeAgo(d, now)}
    </time>
  );
}
