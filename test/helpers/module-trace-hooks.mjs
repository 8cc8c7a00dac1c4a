/** The loader hooks of module-trace.mjs (they run on node's loader thread). */
import fs from 'node:fs';

let out = null;

export function initialize(data) {
  out = data.out;
}

export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (out) fs.appendFileSync(out, `${r.url}\n`);
  return r;
}
