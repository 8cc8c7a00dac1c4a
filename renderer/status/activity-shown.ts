/** How much of a profile's recent activity a card shows: the newest few, the rest on request. */
export const ACTIVITY_FOLDED = 3;

export function activityShown<T>(lines: readonly T[], all: boolean): { shown: T[]; more: number } {
  if (all || lines.length <= ACTIVITY_FOLDED) return { shown: [...lines], more: 0 };
  return { shown: lines.slice(0, ACTIVITY_FOLDED), more: lines.length - ACTIVITY_FOLDED };
}
