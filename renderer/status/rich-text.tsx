import type { ComponentChildren } from 'preact';
import { Banner } from '../shared/components.js';

/** The engine's sentences mark commands and paths with backticks: those become <code>. */
export function RichText({ text }: { text: string }): ComponentChildren {
  const parts = text.split('`');
  if (parts.length < 3) return text;
  return parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? <code class="selectable">{part}</code> : part));
}

/** The whole window when the engine's status could not be read: its diagnosis, nothing else. */
export function StatusUnreadable({ error, class: cls }: { error: { message: string; fix: string }; class: string }): ComponentChildren {
  return (
    <main class={cls}>
      <Banner kind="error" title="Dandelion could not read its status">
        <p class="selectable">
          <RichText text={error.message} />
        </p>
        <p class="selectable">
          <RichText text={error.fix} />
        </p>
      </Banner>
    </main>
  );
}
