/**
 * test/helpers/global-setup.ts once per `vitest run` for every project that names this file (`real`
 * and `browser`): the first project to start runs it, each project is given the same values, and the
 * last project's teardown removes what it made. vitest runs a globalSetup once per project, so
 * naming global-setup.ts in both made two template folders, and each template was built twice.
 */
import type { ProvidedContext } from 'vitest';
import type { TestProject } from 'vitest/node';
import setup from './global-setup.js';

type Provided = [keyof ProvidedContext, ProvidedContext[keyof ProvidedContext]][];

interface Shared {
  ready: Promise<{ provided: Provided; teardown: () => Promise<void> }>;
  projects: number;
}

// Each project loads its globalSetup files on its own (a module of this file per project): the run's
// one copy lives on the main process's globalThis.
const KEY = Symbol.for('dandelion.test.global-setup');
const store = globalThis as { [KEY]?: Shared };

export default async function sharedSetup(project: TestProject): Promise<() => Promise<void>> {
  let shared = store[KEY];
  if (!shared) {
    const provided: Provided = [];
    // The first project itself, with what it is given written down for the others.
    const recording = new Proxy(project, {
      get(target, prop) {
        if (prop === 'provide')
          return <K extends keyof ProvidedContext>(key: K, value: ProvidedContext[K]) => {
            provided.push([key, value]);
            target.provide(key, value);
          };
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    shared = { projects: 0, ready: setup(recording).then((teardown) => ({ provided, teardown })) };
    store[KEY] = shared;
  }
  const own = shared;
  own.projects++;
  const { provided, teardown } = await own.ready;
  for (const [key, value] of provided) project.provide(key, value);
  return async () => {
    if (--own.projects > 0) return;
    if (store[KEY] === own) delete store[KEY];
    await teardown();
  };
}
