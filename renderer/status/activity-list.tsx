import { useId, useState } from 'preact/hooks';
import { Button } from '../shared/components.js';
import { dayAndTime, exactTime } from '../shared/format.js';
import { useNow } from '../shared/hooks.js';
import type { ProfileSnapshot } from '../shared/types.js';
import { activityShown } from './activity-shown.js';

type Line = NonNullable<ProfileSnapshot['activity']>[number];

/**
 * Recent activity of one profile, newest first: backups, restores, checks and restore drills, each a
 * sentence with its local time ("Check found no damage · Yesterday, 21:00"); failures in red with what
 * went wrong. The lines and their words come from the engine (src/activity.ts).
 */
export function ActivityList({ lines }: { lines: Line[] }) {
  const headingId = useId();
  const [all, setAll] = useState(false);
  const now = useNow(60_000);
  const { shown, more } = activityShown(lines, all);
  if (!lines.length) return null;
  return (
    <section class="activity" aria-labelledby={headingId}>
      <div class="activity-head">
        <h3 id={headingId}>Recent activity</h3>
        {more > 0 || all ? (
          <Button small onClick={() => setAll(!all)} aria-expanded={all}>
            {all ? 'Show Less' : `Show ${more} More`}
          </Button>
        ) : null}
      </div>
      <ul>
        {shown.map((l) => (
          <li key={`${l.kind}-${l.startedAt}`} class={`activity-line tone-${l.tone}`} data-kind={l.kind}>
            <span class="dot" aria-hidden="true" />
            <span class="activity-text">
              <span class="activity-what">{l.text}</span>
              <span class="secondary">
                {' · '}
                <time dateTime={l.at} title={exactTime(new Date(l.at))}>
                  {dayAndTime(new Date(l.at), now)}
                </time>
              </span>
              {l.diagnosis ? <span class="activity-why">{l.diagnosis.message}</span> : null}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
