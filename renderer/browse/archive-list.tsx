/**
 * The backups of a profile, newest first, as a single-select list box: the selection follows the
 * keyboard (↑ ↓ Home End), as Time Machine's timeline does, and the folder shown stays the same.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { ArchiveSummary } from './types.js';
import { archiveWords } from './words.js';

export interface ArchiveListProps {
  id: string;
  labelledBy: string;
  archives: readonly ArchiveSummary[];
  selected: string | null;
  onSelect(name: string): void;
  now: Date;
}

export function ArchiveList({ id, labelledBy, archives, selected, onSelect, now }: ArchiveListProps) {
  const box = useRef<HTMLUListElement>(null);
  const at = archives.findIndex((a) => a.name === selected);

  useLayoutEffect(() => {
    const el = box.current?.querySelector<HTMLElement>('[aria-selected="true"]');
    el?.scrollIntoView?.({ block: 'nearest' });
  }, [selected]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (archives.length === 0) return;
    let to = -1;
    if (e.key === 'ArrowDown') to = Math.min(archives.length - 1, at + 1);
    else if (e.key === 'ArrowUp') to = Math.max(0, at < 0 ? 0 : at - 1);
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = archives.length - 1;
    else return;
    e.preventDefault();
    onSelect(archives[to]!.name);
  };

  return (
    <ul
      ref={box}
      id={id}
      class="archive-list"
      role="listbox"
      aria-labelledby={labelledBy}
      aria-activedescendant={at >= 0 ? `${id}-${at}` : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      {archives.map((a, i) => {
        const w = archiveWords(a, now);
        return (
          <li
            key={a.name}
            id={`${id}-${i}`}
            role="option"
            aria-selected={a.name === selected}
            class={a.name === selected ? 'archive selected' : 'archive'}
            title={a.name}
            onMouseDown={(e) => {
              e.preventDefault();
              box.current?.focus();
              onSelect(a.name);
            }}
          >
            <span class="archive-when">{w.when}</span>
            {w.detail ? <span class="archive-detail">{w.detail}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}
