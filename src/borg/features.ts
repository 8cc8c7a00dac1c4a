import type { BorgVersion } from './locate.js';

/**
 * Every version-dependent choice in one place. 1.2 and 1.4 share the command line we use;
 * 2.0 renames things (rcreate, --repo, rdelete) and is not supported yet.
 */
export interface BorgFeatures {
  /** `--glob-archives` replaced `--prefix` in 1.2 (2.0 renames it `--match-archives`). */
  archiveFilterFlag: '--glob-archives';
  /** `borg compact` exists since 1.2; before that, prune freed space itself. */
  hasCompact: boolean;
  /** 1.4 reports a specific exit code per error when BORG_EXIT_CODES=modern. */
  modernExitCodes: boolean;
}

export function featuresFor(v: BorgVersion): BorgFeatures {
  const atLeast = (major: number, minor: number) => v.major > major || (v.major === major && v.minor >= minor);
  return {
    archiveFilterFlag: '--glob-archives',
    hasCompact: atLeast(1, 2),
    modernExitCodes: atLeast(1, 4),
  };
}
