import type { ComponentChildren } from 'preact';

/** The engine's sentences mark commands and paths with backticks: those become <code>. */
export function RichText({ text }: { text: string }): ComponentChildren {
  const parts = text.split('`');
  if (parts.length < 3) return text;
  return parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? <code class="selectable">{part}</code> : part));
}
