/**
 * The setup's last step says, before the first backup, when Dandelion backs up and what it keeps,
 * in one sentence ("Backs up every hour; keeps hourly backups for a day, daily for a month, weekly
 * for 10 years."), with Change… for the schedule and the keep rules.
 */
import { useState } from 'preact/hooks';
import { Button } from '../shared/components.js';
import { timeOfDay } from '../shared/format.js';
import { RadioGroup, Sheet } from './controls.js';
import { scheduleOf, type ProfileDraft } from './draft.js';
import { describeKeep, KEEP_CHOICES, keepFromPrune, KEEP_PRESETS, pruneFromKeep, type KeepPreset } from './keep.js';
import { planSentence, scheduleSentence } from './schedule.js';
import { ScheduleFields, useCronError } from './section-schedule.js';

/** The plan in words, for the summary. */
export function planOf(d: ProfileDraft): string {
  return planSentence(scheduleSentence(d.schedule, d.volume, timeOfDay), describeKeep(pruneFromKeep(d.keep).prune));
}

export function Plan({ draft, onSave }: { draft: ProfileDraft; onSave: (d: ProfileDraft) => Promise<string | null> }) {
  const [editing, setEditing] = useState(false);
  return (
    <div class="plan">
      <p class="plan-sentence">
        {planOf(draft)}{' '}
        <Button variant="link" onClick={() => setEditing(true)} aria-label="Change when to back up and what to keep…">
          Change…
        </Button>
      </p>
      {editing ? (
        <PlanSheet
          draft={draft}
          onCancel={() => setEditing(false)}
          onSave={async (d) => {
            const error = await onSave(d);
            if (error === null) setEditing(false);
            return error;
          }}
        />
      ) : null}
    </div>
  );
}

const PRESETS = KEEP_CHOICES.filter((c) => c.preset !== 'custom');

function PlanSheet(props: { draft: ProfileDraft; onCancel: () => void; onSave: (d: ProfileDraft) => Promise<string | null> }) {
  const [schedule, setSchedule] = useState(props.draft.schedule);
  const [keep, setKeep] = useState(props.draft.keep);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const next: ProfileDraft = { ...props.draft, schedule, keep };
  const { error } = useCronError(schedule, scheduleOf(next), null);

  async function save() {
    if (error) return;
    setBusy(true);
    setProblem(null);
    const p = await props.onSave(next);
    setBusy(false);
    setProblem(p);
  }

  return (
    <Sheet title="When to back up and what to keep" confirm="Save" busy={busy} onCancel={props.onCancel} onConfirm={() => void save()}>
      <div class="stack">
        <ScheduleFields schedule={schedule} onSchedule={setSchedule} error={error} />
        <RadioGroup
          legend="Keep"
          value={keep.preset}
          onValue={(preset: KeepPreset) =>
            setKeep(preset === 'everything' ? keepFromPrune(null) : keepFromPrune(KEEP_PRESETS[preset as 'standard' | 'time-machine']))
          }
          options={PRESETS.map((c) => ({ value: c.preset, label: c.label, sentence: c.sentence }))}
        />
        <p class="secondary small">{planOf(next)}</p>
        {problem ? (
          <div class="error" role="alert">
            {problem}
          </div>
        ) : null}
      </div>
    </Sheet>
  );
}
