/** When: a preset or a cron line, the next three runs as the engine computes them, and the automatic-run rules. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../shared/api.js';
import { dayAndTime } from '../shared/format.js';
import { Checkbox, SelectField, TextField } from './controls.js';
import { scheduleOf } from './draft.js';
import { SCHEDULE_KINDS, switchKind, WEEKDAYS, type ScheduleDraft, type ScheduleKind } from './schedule.js';
import { sentence } from './errors.js';
import type { SectionProps } from './context.js';
import { MonitoringGroup } from './section-monitor.js';

type Preview = { next: string[] } | { error: string } | null;

/** The next runs of a cron line, from the engine's own due-ness code (debounced while typing), and the line they are for. */
export function useSchedulePreview(cron: string | null): (NonNullable<Preview> & { for: string | null }) | null {
  const [preview, setPreview] = useState<{ value: Preview; for: string | null }>({ value: null, for: null });
  const first = useRef(true);
  useEffect(() => {
    if (cron === null || cron === '') {
      setPreview({ value: null, for: cron });
      return;
    }
    let alive = true;
    const t = setTimeout(
      () => {
        void api.previewSchedule({ schedule: cron, count: 3 }).then((r) => {
          if (alive) setPreview({ value: r.ok ? r.value : { error: r.diagnosis.message }, for: cron });
        });
      },
      first.current ? 0 : 200,
    );
    first.current = false;
    return () => {
      alive = false;
      clearTimeout(t);
    };
  }, [cron]);
  return preview.value === null ? null : { ...preview.value, for: preview.for };
}

/**
 * The error under a custom cron field: the one the last save found while the line is unchanged,
 * else what the engine says of the line as it is now (never of a line typed before).
 */
export function useCronError(
  schedule: ScheduleDraft,
  cron: string | null,
  saved: string | null,
): { error: string | null; preview: Preview } {
  const preview = useSchedulePreview(cron);
  if (saved) return { error: saved, preview };
  const live = schedule.kind === 'custom' && preview && 'error' in preview && preview.for === cron ? preview.error : null;
  return { error: live ? sentence(live) : null, preview };
}

export function ScheduleFields({
  schedule,
  onSchedule,
  error,
}: {
  schedule: ScheduleDraft;
  onSchedule: (s: ScheduleDraft) => void;
  error: string | null;
}) {
  return (
    <div class="schedule-fields">
      <SelectField
        label="Back up"
        value={schedule.kind}
        onValue={(kind: ScheduleKind) => onSchedule(switchKind(schedule, kind))}
        options={SCHEDULE_KINDS.map((k) => ({ value: k.kind, label: k.label }))}
        error={schedule.kind === 'custom' ? null : error}
      />
      {schedule.kind === 'weekly' ? (
        <SelectField
          label="On"
          value={String(schedule.weekday)}
          onValue={(v) => onSchedule({ ...schedule, weekday: Number(v) })}
          options={WEEKDAYS.map((d, i) => ({ value: String(i), label: d }))}
        />
      ) : null}
      {schedule.kind === 'daily' || schedule.kind === 'weekly' ? (
        <TextField type="time" label="At" value={schedule.time} onValue={(time) => onSchedule({ ...schedule, time })} class="time" />
      ) : null}
      {schedule.kind === 'custom' ? (
        <TextField
          label="Cron schedule"
          value={schedule.cron}
          onValue={(cron) => onSchedule({ ...schedule, cron })}
          error={error}
          hint={
            <>
              minute hour day month weekday, e.g. <code>0 */2 * * *</code> for every two hours
            </>
          }
          spellcheck={false}
          autocomplete="off"
          class="mono-input cron"
        />
      ) : null}
    </div>
  );
}

/** `explained`: the schedule field already shows why the cron is wrong, so it is not said twice. */
export function NextRuns({
  cron,
  volume,
  explained = false,
  preview,
}: {
  cron: string | null;
  volume: string | null;
  explained?: boolean;
  preview: Preview;
}) {
  const now = new Date();
  return (
    <div class="next-runs" aria-live="polite">
      {cron === null ? (
        <p class="secondary">
          {volume
            ? `Backs up when “${volume}” is connected, and when you choose Back Up Now.`
            : 'Backs up only when you choose Back Up Now.'}
        </p>
      ) : preview === null ? (
        <p class="secondary">Next backups: …</p>
      ) : 'error' in preview ? (
        <p class="secondary">Next backups: none{explained ? '' : ` — ${preview.error}`}</p>
      ) : (
        <>
          <h3 class="list-label">Next backups</h3>
          <ul>
            {preview.next.map((iso) => (
              <li key={iso}>
                <time dateTime={iso}>{dayAndTime(new Date(iso), now)}</time>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

export function ScheduleSection(props: SectionProps) {
  const { draft, update, err } = props;
  const cron = scheduleOf(draft);
  const { error, preview } = useCronError(draft.schedule, cron, err('schedule'));
  return (
    <div class="section-body">
      <div class="group stack">
        <ScheduleFields schedule={draft.schedule} onSchedule={(schedule) => update((d) => ({ ...d, schedule }))} error={error} />
        <NextRuns cron={cron} volume={draft.volume} explained={error !== null} preview={preview} />
      </div>
      <h2 class="group-title">Automatic backups</h2>
      <div class="group stack">
        <TextField
          label="At least this many hours apart"
          value={draft.minIntervalHours}
          onValue={(minIntervalHours) => update((d) => ({ ...d, minIntervalHours }))}
          error={err('minIntervalHours')}
          hint="A disk that is plugged in again soon after a backup does not start another one. 0: no minimum. Back Up Now always runs."
          inputMode="decimal"
          class="narrow"
        />
        <TextField
          label="Overdue after (hours)"
          value={draft.overdueAfterHours}
          onValue={(overdueAfterHours) => update((d) => ({ ...d, overdueAfterHours }))}
          error={err('overdueAfterHours')}
          placeholder="Automatic"
          hint="Dandelion warns when the last backup is older than this. Empty: twice the time between scheduled backups."
          inputMode="decimal"
          class="narrow"
        />
        <Checkbox
          label="Don’t back up automatically on battery power"
          checked={draft.skipOnBattery}
          onChange={(skipOnBattery) => update((d) => ({ ...d, skipOnBattery }))}
          hint="The backup runs once the Mac is plugged in."
          error={err('skipOnBattery')}
        />
      </div>
      <h2 class="group-title">Checking the backups</h2>
      <div class="group stack">
        <TextField
          label="Check and prove restorable every (days)"
          value={draft.checkEveryDays}
          onValue={(checkEveryDays) => update((d) => ({ ...d, checkEveryDays }))}
          error={err('check.everyDays') ?? err('check')}
          hint="After a backup, borg check looks for damage, then a test restore proves the latest backup can be read back. 0: only when you ask."
          inputMode="decimal"
          class="narrow"
        />
        <Checkbox
          label="Also read and authenticate every piece of data (slow)"
          checked={draft.checkVerifyData}
          onChange={(checkVerifyData) => update((d) => ({ ...d, checkVerifyData }))}
          hint="As long as reading the whole repository; over a slow connection it can take hours."
          error={err('check.verifyData')}
        />
      </div>
      <MonitoringGroup {...props} />
    </div>
  );
}
