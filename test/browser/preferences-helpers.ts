/** Small helpers the preferences window's browser tests share: pickers, keyboard moves, error lookups. */
import type { Locator, Page } from 'playwright-core';

export const PREFS_SIZE = { width: 640, height: 520 };

/** A folder/file picker that answers the given paths in turn (then cancels). */
export function answers(...paths: string[]): () => Promise<string | null> {
  const queue = [...paths];
  return async () => queue.shift() ?? null;
}

/** The accessible name of the focused element, roughly as a screen reader says it. */
export function focusedName(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    const labelled = el.getAttribute('aria-label');
    if (labelled) return labelled;
    const labels = (el as HTMLInputElement).labels;
    if (labels && labels.length) return labels[0]!.textContent?.trim() ?? '';
    return el.textContent?.trim() ?? '';
  });
}

/** Presses Tab (or Shift+Tab) until the focused element's name matches; fails after `max` presses. */
export async function tabTo(page: Page, name: string | RegExp, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < (opts.max ?? 30); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const now = await focusedName(page);
    seen.push(now);
    if (typeof name === 'string' ? now === name : name.test(now)) return;
  }
  throw new Error(`Tab never reached "${String(name)}"; focus went through: ${seen.join(' → ')}`);
}

/** The error text tied to a control by aria-describedby (only the parts styled as errors). */
export async function errorOf(control: Locator): Promise<string> {
  return control.evaluate((el) => {
    const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
    return ids
      .map((id) => document.getElementById(id))
      .filter((e): e is HTMLElement => !!e && e.classList.contains('error'))
      .map((e) => e.textContent?.trim() ?? '')
      .join(' ');
  });
}

/** Whether the focused element shows a visible focus ring (an outline that is not "none"). */
export function focusVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return false;
    const s = getComputedStyle(el);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  });
}
