/**
 * How a borgmatic setup reaches its repositories: the passphrase (kept out of the profile: it
 * goes to the Keychain) or passcommand, the ssh key and port of `ssh_command`, and borg's path.
 */
import { splitCommand } from '../secrets/passcommand.js';
import { expandTilde, quoteWord, str, type Reading } from './borgmatic-reading.js';

export interface Access {
  passphrase: string | null;
  passphraseLine: number | null;
  passcommand: string | null;
  sshKey: string | null;
  sshPort: number | null;
  sshLine: number | null;
  borgPath: string | null;
}

export function readAccess(rd: Reading): Access {
  const { opt, isUnresolved, report, shared, ctx } = rd;
  // --- Passphrase, passcommand. ---
  const passOpt = opt('encryption_passphrase');
  const passcommandOpt = opt('encryption_passcommand');
  let passphrase: string | null = null;
  let passcommand: string | null = null;
  if (passOpt) {
    const v = typeof passOpt.value === 'string' || typeof passOpt.value === 'number' ? String(passOpt.value) : null;
    const credential = v ? /^\{credential\s+(\S+)\s+(.+)\}$/.exec(v.trim()) : null;
    if (credential) {
      if (credential[1] === 'file') {
        passcommand = `cat ${quoteWord(credential[2]!.trim())}`;
        report.carried(shared, 'The passphrase file becomes the passcommand (it is read when borg needs it, never copied).', passOpt.line);
      } else
        report.todo(
          shared,
          `The passphrase comes from borgmatic's ${credential[1]} credential, which Dandelion cannot read: store it in Preferences (Passphrase) before the first backup.`,
          passOpt.line,
        );
    } else if (v === null || isUnresolved(passOpt.path)) {
      report.todo(
        shared,
        'The passphrase comes from an environment variable an import cannot read: store it in Preferences (Passphrase) before the first backup.',
        passOpt.line,
      );
    } else passphrase = v;
  }
  if (passcommandOpt) {
    const v = str(passcommandOpt.value);
    if (passphrase !== null || passcommand !== null)
      report.dropped(
        shared,
        'encryption_passcommand was left out: this file also gives the passphrase, which borgmatic used first.',
        passcommandOpt.line,
      );
    else if (v === null)
      report.todo(
        shared,
        'The passcommand uses an environment variable an import cannot read: set the passphrase in Preferences.',
        passcommandOpt.line,
      );
    else {
      passcommand = v;
      report.carried(shared, 'Passcommand kept: Dandelion runs it (without a shell) when borg needs the passphrase.', passcommandOpt.line);
    }
  }

  // --- ssh command: key and port. ---
  const sshOpt = opt('ssh_command');
  let sshKey: string | null = null;
  let sshPort: number | null = null;
  if (sshOpt) {
    const words = splitCommand(str(sshOpt.value) ?? '');
    if (!words.length || !/(^|\/)ssh$/.test(words[0]!)) {
      report.dropped(shared, `ssh_command "${words[0] ?? ''}" is not ssh; Dandelion runs ssh itself and left it out.`, sshOpt.line);
    } else {
      const left: string[] = [];
      for (let i = 1; i < words.length; i++) {
        const w = words[i]!;
        const value = (flag: string) => (w === flag ? words[++i] : w.slice(flag.length));
        if (w.startsWith('-i')) sshKey = value('-i') ?? null;
        else if (w.startsWith('-p')) sshPort = Number(value('-p'));
        else if (w.startsWith('-o')) {
          const o = value('-o') ?? '';
          const [k, ...rest] = o.split(/[=\s]+/);
          const val = rest.join(' ');
          if (/^identityfile$/i.test(k!)) sshKey = val;
          else if (/^port$/i.test(k!)) sshPort = Number(val);
          else if (/^identitiesonly$/i.test(k!)) continue;
          else left.push(`-o ${o}`);
        } else left.push(w);
      }
      if (sshKey) {
        report.carried(shared, `SSH key ${sshKey}.`, sshOpt.line);
        if (!ctx.exists(expandTilde(sshKey, ctx.home)))
          report.note(
            shared,
            `The SSH key ${sshKey} is not on this machine; copy it here or choose another key in Preferences.`,
            sshOpt.line,
          );
      }
      if (sshPort !== null && !(Number.isInteger(sshPort) && sshPort >= 1 && sshPort <= 65535)) {
        report.dropped(shared, 'The ssh port in ssh_command is not a port number; left out.', sshOpt.line);
        sshPort = null;
      }
      for (const w of left) {
        const why = /StrictHostKeyChecking/i.test(w)
          ? 'Dandelion checks host keys itself and asks before trusting a new one'
          : /UserKnownHostsFile|GlobalKnownHostsFile/i.test(w)
            ? 'Dandelion keeps its own known hosts'
            : 'Dandelion builds the ssh command itself (key and port only)';
        report.dropped(shared, `ssh option "${w}" was left out: ${why}.`, sshOpt.line);
      }
    }
  }

  // --- borg path. ---
  const localPathOpt = opt('local_path');
  let borgPath: string | null = null;
  if (localPathOpt) {
    const v = str(localPathOpt.value);
    if (v && v !== 'borg') {
      if (v.includes('/') && ctx.exists(expandTilde(v, ctx.home))) {
        borgPath = v;
        report.carried(shared, `borg at ${v}.`, localPathOpt.line);
      } else report.note(shared, `borg at "${v}" is not on this machine; the borg Dandelion finds is used.`, localPathOpt.line);
    }
  }

  return {
    passphrase,
    passphraseLine: passOpt?.line ?? null,
    passcommand,
    sshKey,
    sshPort,
    sshLine: sshOpt?.line ?? null,
    borgPath,
  };
}
