import { execa, type ResultPromise } from 'execa';

export interface Keyring {
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A real Secret Service: a private D-Bus session bus with gnome-keyring-daemon on it, its login
 * keyring created and unlocked (as dbus-run-session + gnome-keyring-daemon --unlock would).
 */
export async function startKeyring(home: string): Promise<Keyring> {
  const bus: ResultPromise = execa('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
    reject: false,
    stdin: 'ignore',
    buffer: false,
    env: { HOME: home },
  });
  const address = await new Promise<string>((resolve, reject) => {
    let text = '';
    bus.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && line) resolve(line.trim());
    });
    bus.once('exit', () => reject(new Error('dbus-daemon exited before giving an address')));
  });
  const env = { HOME: home, DBUS_SESSION_BUS_ADDRESS: address };
  const keyring: ResultPromise = execa('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    reject: false,
    input: 'keyring-unlock-password',
    env,
    buffer: false,
  });
  // Wait until the Secret Service answers on the bus.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await execa(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.secrets',
      ],
      { env, reject: false },
    );
    if (r.stdout.includes('boolean true')) break;
    if (Date.now() > deadline) throw new Error('gnome-keyring-daemon did not come up');
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    env,
    stop: async () => {
      keyring.kill('SIGTERM');
      bus.kill('SIGTERM');
      await Promise.allSettled([keyring, bus]);
    },
  };
}
