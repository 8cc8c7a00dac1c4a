/**
 * Preloaded into the built CLI (`NODE_OPTIONS=--import=<this file>`): appends the URL of every module
 * the process loads, one a line, to $DANDELION_TRACE_MODULES. Tests use it to check that a command
 * loads only what it needs (start-up is part of the cost of every `dandelion run`).
 */
import { register } from 'node:module';

const out = process.env.DANDELION_TRACE_MODULES;
if (out) register('./module-trace-hooks.mjs', import.meta.url, { data: { out } });
