import { api } from '../shared/api.js';
import { useId, useState } from 'preact/hooks';
import { Banner, Button, RelativeTime } from '../shared/components.js';
import { dayAndTime, exactTime, formatBytes, formatCount } from '../shared/format.js';
import { useNow } from '../shared/hooks.js';
import type { ArchiveStats, Diagnosis, EventPayloads, LiveProgress, ProfileSnapshot } from '../shared/types.js';

type OpProgress = EventPayloads['op-progress']['progress'];
import { statsWords, type StatWords } from './stats-words.js';
import { DiagnosisBlock } from './diagnosis-block.js';
import { RunProgress } from './run-progress.js';
import { pausedBadge } from './paused.js';
import { badgeText, cardState, type CardState } from './card-state.js';
import { overdueWords } from '../../src/format.js';
import { VerifyControls } from './verify-controls.js';
import { ActivityList } from './activity-list.js';

export interface ProfileCardProps {
  p: ProfileSnapshot;
  /** Progress from the `progress` event, newer than the snapshot's. */
  live: LiveProgress | null;
  platform: string;
  /** Progress of this profile's check or drill from the `op-progress` event, newer than the snapshot's. */
  op?: OpProgress | null;
  /** Automatic backups are paused: a card that would say "Up to date" says "Paused". */
  paused?: boolean;
}

export function ProfileCard({ p, live, platform, op = null, paused = false }: ProfileCardProps) {
  const titleId = useId();
  const [starting, setStarting] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [callError, setCallError] = useState<Diagnosis | null>(null);
  const state = cardState(p);
  // A run of another process (the daemon, a CLI run) shows the figures it shares, and Cancel reaches it.
  const run = p.state === 'running' ? (live ?? p.run ?? p.runningElsewhere?.progress ?? null) : null;
  const last = p.lastRun;

  const backUp = async () => {
    setStarting(true);
    setCallError(null);
    const r = await api.runNow({ profile: p.id });
    if (!r.ok) setCallError(r.diagnosis);
    // The snapshot that says "running" arrives within a quarter second; until then the button stays pressed.
    setTimeout(() => setStarting(false), 600);
  };
  const cancel = async () => {
    setCancelling(true);
    const r = await api.cancel({ profile: p.id });
    if (!r.ok) setCallError(r.diagnosis);
    setCancelling(false);
  };

  return (
    <section class={`card state-${state}`} aria-labelledby={titleId} data-profile={p.id}>
      <header class="card-head">
        <h2 id={titleId}>{p.name}</h2>
        {pausedBadge(state, paused) ? (
          <span class="badge badge-paused">
            <span class="dot" aria-hidden="true" />
            Paused
          </span>
        ) : state === 'never' ? null : (
          <span class={`badge badge-${state}`}>
            <span class="dot" aria-hidden="true" />
            {badgeText(p, state)}
          </span>
        )}
      </header>

      <Headline p={p} state={state} />
      <Verification p={p} platform={platform} />
      <VerifyControls p={p} live={op} platform={platform} />

      {p.overdue && p.state !== 'running' ? (
        <Banner kind="warning" title={p.waitingFor ? overdueWords(p.waitingFor, p.triggers.volume) : 'Backup overdue'}>
          <p>
            {p.lastSuccessAt ? 'The schedule should have made a backup by now.' : 'The schedule should have made a first backup by now.'}{' '}
            {p.waitingFor === 'power'
              ? 'This backup is set not to run on battery power: it starts when the computer is plugged in, or back up now.'
              : 'Back up now to catch up.'}
          </p>
        </Banner>
      ) : null}

      {p.state === 'waiting-for-volume' && p.triggers.volume ? (
        <Banner kind="info" title={`Waiting for ${p.triggers.volume}`}>
          <p>Connect the disk and the backup starts by itself.</p>
        </Banner>
      ) : null}

      {run ? <RunProgress run={run} onCancel={() => void cancel()} cancelling={cancelling} /> : null}
      {p.state === 'running' && p.runningElsewhere ? (
        <p class="secondary">
          Backing up in another Dandelion process ({p.runningElsewhere.what}, pid {p.runningElsewhere.pid}), since{' '}
          <RelativeTime iso={p.runningElsewhere.since} />.
        </p>
      ) : null}

      {p.state !== 'running' && last && (last.result === 'error' || last.result === 'warning' || last.result === 'interrupted') ? (
        <DiagnosisBlock
          kind={last.result === 'error' ? 'error' : 'warning'}
          title={
            last.result === 'error' ? (
              <>
                Backup failed <RelativeTime iso={last.finishedAt} />
              </>
            ) : last.result === 'interrupted' ? (
              'The last backup did not finish'
            ) : (
              'The last backup had warnings'
            )
          }
          diagnoses={last.diagnoses}
          fallback={last.message}
          profile={p.id}
          platform={platform}
        >
          {p.retry ? (
            <p class="secondary">
              Dandelion tries again <NextTime iso={p.retry.at} lower />.
            </p>
          ) : null}
        </DiagnosisBlock>
      ) : null}

      {callError ? (
        <DiagnosisBlock kind="error" title="Could not do that" diagnoses={[callError]} fallback={null} profile={p.id} platform={platform} />
      ) : null}

      {last && last.archive && last.stats && (last.result === 'success' || last.result === 'warning') ? (
        <dl class="stats">
          <div class="stat wide">
            <dt>Archive</dt>
            <dd class="mono selectable" title={last.archive}>
              {last.archive}
            </dd>
          </div>
          <Stat s={words(last.stats).files} />
          <Stat s={words(last.stats).size} />
          <Stat s={words(last.stats).added} />
        </dl>
      ) : null}
      {last && last.archive && last.stats && (last.result === 'success' || last.result === 'warning') && words(last.stats).note ? (
        <p class="stat-note secondary small">{words(last.stats).note}</p>
      ) : null}

      <ActivityList lines={p.activity ?? []} />

      <footer class="card-foot">
        <Schedule p={p} />
        <div class="card-buttons">
          {p.lastSuccessAt ? <Button onClick={() => void api.openWindow({ window: 'browse', profile: p.id })}>Browse…</Button> : null}
          {p.state === 'running' ? null : (
            <Button variant="primary" onClick={() => void backUp()} disabled={starting}>
              Back Up Now
            </Button>
          )}
        </div>
      </footer>
    </section>
  );
}

const words = (stats: ArchiveStats) => statsWords(stats, formatBytes, formatCount);

function Stat({ s }: { s: StatWords }) {
  return (
    <div class="stat" title={s.title}>
      <dt>{s.label}</dt>
      <dd>{s.value}</dd>
    </div>
  );
}

function Headline({ p, state }: { p: ProfileSnapshot; state: CardState }) {
  const last = p.lastRun;
  if (p.lastSuccessAt) {
    return (
      <p class="headline">
        Last backup <RelativeTime iso={p.lastSuccessAt} />
        {(state === 'cancelled' || state === 'interrupted') && last ? (
          <span class="secondary">
            {' '}
            · the next one {state === 'cancelled' ? 'was cancelled' : 'did not finish'} <RelativeTime iso={last.finishedAt} />
          </span>
        ) : null}
      </p>
    );
  }
  if (p.state === 'running') return <p class="headline">First backup</p>;
  return <p class="headline">{last ? 'No backup yet' : 'Never backed up'}</p>;
}

/** When the backups were last verified (borg check) and proven restorable (the drill), and what went wrong. */
function Verification({ p, platform }: { p: ProfileSnapshot; platform: string }) {
  const failed = p.verifyFailed;
  return (
    <>
      {p.lastVerified || p.lastProven ? (
        <p class="verified secondary" data-verified>
          {p.lastVerified ? <RelativeTime iso={p.lastVerified} prefix="Verified " /> : 'Not verified yet'}
          {' · '}
          {p.lastProven ? <RelativeTime iso={p.lastProven} prefix="Restore proven " /> : 'Restore not proven yet'}
        </p>
      ) : null}
      {p.monitor && !p.monitor.ok ? (
        <p class="secondary monitor-note">
          Monitoring: the last ping to {p.monitor.host} did not get through (<RelativeTime iso={p.monitor.lastPing} />
          ). Backups are not affected.
        </p>
      ) : null}
      {failed ? (
        <DiagnosisBlock
          kind="error"
          title={
            <>
              Backups may not be restorable: the last {failed.kind === 'check' ? 'check found damage' : 'restore drill failed'}{' '}
              <RelativeTime iso={failed.at} />
            </>
          }
          diagnoses={failed.diagnosis ? [withoutLead(failed.diagnosis)] : []}
          fallback={null}
          profile={p.id}
          platform={platform}
        />
      ) : p.verifyOverdue ? (
        <Banner kind="warning" title="Verification overdue">
          <p>
            {p.lastVerified || p.lastProven
              ? 'No check or restore drill has passed for longer than the profile asks.'
              : 'The backups have never been checked or proven restorable.'}{' '}
            Both run after the next backup.
          </p>
        </Banner>
      ) : null}
    </>
  );
}

/** The title already says "Backups may not be restorable": the diagnosis below it goes on from there. */
function withoutLead(d: Diagnosis): Diagnosis {
  const rest = d.message.replace(/^Backups may not be restorable: /, '');
  return { ...d, message: rest.charAt(0).toUpperCase() + rest.slice(1) };
}

function NextTime({ iso, lower }: { iso: string; lower?: boolean }) {
  const now = useNow(60_000);
  const d = new Date(iso);
  const text = dayAndTime(d, now);
  return (
    <time dateTime={iso} title={exactTime(d)}>
      {lower ? text.replace(/^(Today|Tomorrow|Yesterday)/, (w) => w.toLowerCase()) : text}
    </time>
  );
}

/** When the next backup happens by itself: a time, a disk, both, or only when asked. */
function Schedule({ p }: { p: ProfileSnapshot }) {
  const { schedule, volume } = p.triggers;
  if (p.nextRunAt && schedule) {
    return (
      <p class="next secondary">
        Next backup: <NextTime iso={p.nextRunAt} />
        {volume ? ` and when ${volume} is connected` : null}
      </p>
    );
  }
  if (volume) return <p class="next secondary">Backs up when {volume} is connected</p>;
  return <p class="next secondary">Backs up only when you ask</p>;
}
