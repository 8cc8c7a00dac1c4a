import { existsSync } from 'node:fs';

/**
 * The Python the tests run small scripts with (xattrs, tar files): the system's, which borg itself
 * runs on, when it is there. A `python3` found on PATH may be a version manager's shim (pyenv's costs
 * ~0.1 s of CPU per call in two bash scripts before Python starts; the suite makes ~70 calls).
 */
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
