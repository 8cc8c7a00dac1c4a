/**
 * The preferences window's form controls: each labelled, its hint and error tied to it with
 * aria-describedby, usable with Tab, Space and Return alone. Built on the shared Field.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { Button, Field } from '../shared/components.js';

type InputProps = Omit<JSX.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onInput' | 'id' | 'class'>;

export function TextField(
  props: {
    label: ComponentChildren;
    value: string;
    onValue: (v: string) => void;
    error?: string | null;
    hint?: ComponentChildren;
    class?: string;
    /** A button beside the input (e.g. "Choose…"). */
    after?: ComponentChildren;
  } & InputProps,
) {
  const { label, value, onValue, error, hint, class: cls, after, ...rest } = props;
  return (
    <Field label={label} error={error} hint={hint} class={cls}>
      {(ids) => (
        <div class={after ? 'with-button' : undefined}>
          <input
            type="text"
            {...rest}
            id={ids.id}
            value={value}
            aria-describedby={ids.describedBy}
            aria-invalid={ids.invalid || undefined}
            onInput={(e) => onValue(e.currentTarget.value)}
          />
          {after}
        </div>
      )}
    </Field>
  );
}

export function SelectField<T extends string>(props: {
  label: ComponentChildren;
  value: T;
  options: { value: T; label: string }[];
  onValue: (v: T) => void;
  error?: string | null;
  hint?: ComponentChildren;
  class?: string;
  disabled?: boolean;
}) {
  return (
    <Field label={props.label} error={props.error} hint={props.hint} class={props.class}>
      {(ids) => (
        <select
          id={ids.id}
          value={props.value}
          disabled={props.disabled}
          aria-describedby={ids.describedBy}
          aria-invalid={ids.invalid || undefined}
          onChange={(e) => props.onValue(e.currentTarget.value as T)}
        >
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A checkbox with its label to the right and an optional hint under it (macOS style). */
export function Checkbox(props: {
  label: ComponentChildren;
  checked: boolean;
  onChange: (v: boolean) => void;
  hint?: ComponentChildren;
  error?: string | null;
  disabled?: boolean;
}) {
  const id = useId();
  const describedBy = [props.hint ? `${id}-hint` : null, props.error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={['check', props.error && 'invalid'].filter(Boolean).join(' ')}>
      <input
        type="checkbox"
        id={id}
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={describedBy}
        aria-invalid={props.error ? true : undefined}
        onChange={(e) => props.onChange(e.currentTarget.checked)}
      />
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <div id={`${id}-hint`} class="hint">
          {props.hint}
        </div>
      ) : null}
      {props.error ? (
        <div id={`${id}-error`} class="error">
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/** Radio buttons in a fieldset whose legend names the question; each choice may carry a sentence. */
export function RadioGroup<T extends string>(props: {
  legend: ComponentChildren;
  value: T;
  options: { value: T; label: ComponentChildren; sentence?: ComponentChildren }[];
  onValue: (v: T) => void;
  error?: string | null;
  class?: string;
  legendHidden?: boolean;
}) {
  const name = useId();
  return (
    <fieldset class={['radio-group', props.class].filter(Boolean).join(' ')} aria-describedby={props.error ? `${name}-error` : undefined}>
      <legend class={props.legendHidden ? 'visually-hidden' : undefined}>{props.legend}</legend>
      {props.options.map((o) => {
        const id = `${name}-${o.value}`;
        return (
          <div class="radio" key={o.value}>
            <input
              type="radio"
              id={id}
              name={name}
              value={o.value}
              checked={props.value === o.value}
              aria-describedby={o.sentence ? `${id}-s` : undefined}
              onChange={() => props.onValue(o.value)}
            />
            <label for={id}>{o.label}</label>
            {o.sentence ? (
              <div id={`${id}-s`} class="hint">
                {o.sentence}
              </div>
            ) : null}
          </div>
        );
      })}
      {props.error ? (
        <div id={`${name}-error`} class="error">
          {props.error}
        </div>
      ) : null}
    </fieldset>
  );
}

/** An error (or several) not tied to one input: shown where the user looks, announced when it appears. */
export function ErrorText({ id, messages }: { id?: string; messages: string | string[] | null | undefined }) {
  const list = Array.isArray(messages) ? messages : messages ? [messages] : [];
  if (!list.length) return null;
  return (
    <div id={id} class="error" role="alert">
      {list.join(' ')}
    </div>
  );
}

/**
 * The control the user last focused outside a sheet: the one that opened a sheet, even when it lost
 * the focus on the way (Save is disabled while it saves, and a disabled button drops the focus).
 */
let lastFocused: HTMLElement | null = null;
if (typeof document !== 'undefined') {
  document.addEventListener('focusin', (e) => {
    if (e.target instanceof HTMLElement && !e.target.closest('dialog')) lastFocused = e.target;
  });
}

/**
 * A modal sheet (the native <dialog>): focus stays inside, Escape cancels, focus returns to the
 * control that opened it. The least dangerous button has the focus first.
 */
export function Sheet(props: {
  title: ComponentChildren;
  children: ComponentChildren;
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
  destructive?: boolean;
  busy?: boolean;
  /** The confirming button is the safe one here and has the focus first. */
  focusConfirm?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const gone = useRef(false);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    const active = document.activeElement as HTMLElement | null;
    const opener = active && active !== document.body ? active : lastFocused;
    if (d && !d.open) d.showModal();
    return () => {
      gone.current = true;
      // While a modal dialog is open the rest of the page is inert and cannot take the focus:
      // close it first, then give the focus back to the control that opened it.
      if (d?.open) d.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="sheet"
      aria-labelledby={`${id}-t`}
      aria-describedby={`${id}-b`}
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
      // Chromium closes a dialog on a second Escape even when cancel is prevented: that is a Cancel too.
      onClose={() => {
        if (!gone.current) props.onCancel();
      }}
    >
      <h2 id={`${id}-t`}>{props.title}</h2>
      <div id={`${id}-b`} class="sheet-body">
        {props.children}
      </div>
      <div class="button-row sheet-buttons">
        <span class="spacer" />
        <Button onClick={props.onCancel} autoFocus={!props.focusConfirm}>
          Cancel
        </Button>
        <Button
          variant={props.destructive ? 'destructive' : 'primary'}
          onClick={props.onConfirm}
          disabled={props.busy}
          autoFocus={props.focusConfirm}
        >
          {props.confirm}
        </Button>
      </div>
    </dialog>
  );
}

/** A list of folders with Add and a Remove per row. */
export function FolderList(props: {
  label: string;
  folders: string[];
  onRemove: (index: number) => void;
  onAdd: () => void;
  addLabel: string;
  error?: string | null;
  empty: string;
}) {
  const id = useId();
  return (
    <div class={['folder-list', props.error && 'invalid'].filter(Boolean).join(' ')}>
      <h3 id={`${id}-l`} class="list-label">
        {props.label}
      </h3>
      <ul aria-labelledby={`${id}-l`} aria-describedby={props.error ? `${id}-e` : undefined}>
        {props.folders.length === 0 ? <li class="empty secondary">{props.empty}</li> : null}
        {props.folders.map((f, i) => (
          <li key={f}>
            <span class="path mono selectable" title={f}>
              {f}
            </span>
            <Button small onClick={() => props.onRemove(i)} aria-label={`Remove ${f}`}>
              Remove
            </Button>
          </li>
        ))}
      </ul>
      {props.error ? (
        <div id={`${id}-e`} class="error">
          {props.error}
        </div>
      ) : null}
      <div class="button-row">
        <Button
          onClick={props.onAdd}
          aria-describedby={props.error ? `${id}-e` : undefined}
          data-invalid={props.error ? 'true' : undefined}
        >
          {props.addLabel}
        </Button>
      </div>
    </div>
  );
}

/** Saving over a config.json the user broke by hand: asked first, and the file is kept as a .bak. */
export function ReplaceInvalidSheet(props: { file?: string; onCancel: () => void; onConfirm: () => void }) {
  return (
    <Sheet title="Replace the settings file?" confirm="Replace" destructive onCancel={props.onCancel} onConfirm={props.onConfirm}>
      <p>
        {props.file ? <code class="selectable">{props.file}</code> : 'config.json'} was edited by hand and is not valid. Saving replaces it
        with these settings; the file as it is now is kept as <code>config.json.bak</code>.
      </p>
    </Sheet>
  );
}
