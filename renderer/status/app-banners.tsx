import { api } from '../shared/api.js';
import { Banner, Button } from '../shared/components.js';
import type { AppSnapshot } from '../shared/types.js';
import { RichText } from './rich-text.js';
import { inUseSentence } from '../shared/config-in-use.js';
import { pausedTitle } from './paused.js';

/** What concerns every profile: config.json invalid, borg missing, Full Disk Access missing. */
export function AppBanners({ s }: { s: AppSnapshot }) {
  const prefs = (section: 'general') => () => void api.openWindow({ window: 'preferences', section });
  const paused = pausedTitle(s, new Date());
  return (
    <>
      {paused ? (
        <Banner kind="info" title={paused} class="paused" actions={<Button onClick={() => void api.resume()}>Resume Backups</Button>}>
          <p>Scheduled and disk-triggered backups wait; Back Up Now still works. What came due meanwhile runs once when the pause ends.</p>
        </Banner>
      ) : null}
      {s.configErrors.length > 0 ? (
        <Banner kind="error" title="config.json has errors" actions={<Button onClick={prefs('general')}>Open Preferences…</Button>}>
          <p>{inUseSentence({ inUse: s.profiles.length > 0 ? 'last-good' : 'none', lastGood: s.profiles.map((p) => p.name) })}</p>
          <ul class="config-errors mono selectable">
            {s.configErrors.slice(0, 5).map((e, i) => (
              <li key={i}>{e.line !== undefined ? `config.json ${e.message}` : `${e.path}: ${e.message}`}</li>
            ))}
            {s.configErrors.length > 5 ? <li>…and {s.configErrors.length - 5} more</li> : null}
          </ul>
        </Banner>
      ) : null}
      {s.borg.state === 'missing' ? (
        <Banner kind="error" title="BorgBackup is not available" actions={<Button onClick={prefs('general')}>General Settings…</Button>}>
          <p class="selectable">
            <RichText text={s.borg.diagnosis.message} />
          </p>
          <p class="selectable">
            <RichText text={s.borg.diagnosis.fix} />
          </p>
        </Banner>
      ) : null}
      {s.app.platform === 'darwin' && s.app.fullDiskAccess === 'missing' ? (
        <Banner
          kind="warning"
          title="Dandelion needs Full Disk Access"
          actions={
            <Button variant="primary" onClick={() => void api.openFdaSettings()}>
              Grant Full Disk Access…
            </Button>
          }
        >
          <p>
            Without it, macOS keeps borg out of Desktop, Documents, Mail, Photos and other protected folders, and their files are left out
            of your backups. Turn Dandelion on in System Settings › Privacy &amp; Security › Full Disk Access.
          </p>
        </Banner>
      ) : null}
    </>
  );
}

/** First launch: nothing set up yet, one friendly step forward. */
export function EmptyState() {
  return (
    <div class="empty">
      <div class="empty-mark" aria-hidden="true" />
      <h1>Back up this Mac with Dandelion</h1>
      <p class="secondary">
        Dandelion keeps encrypted copies of your folders on a backup disk or a server, on a schedule and whenever the disk is connected.
      </p>
      <Button variant="primary" onClick={() => void api.openWindow({ window: 'preferences', section: 'new-profile' })}>
        Set Up a Backup…
      </Button>
    </div>
  );
}
