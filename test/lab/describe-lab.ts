// The describe wrapper the lab tests use:
//   - not Linux / not root / tools missing: skipped, with one clear line per run;
//   - under CI=true the lab must run: the same conditions fail the run instead.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, it } from 'vitest';

import { labSupport } from './support.ts';

let reported = false;

/** Print the skip reason once per test run (not once per test file). */
function reportSkipOnce(reason: string): void {
  if (reported) return;
  reported = true;
  const marker = join(tmpdir(), `nslab-skip-${process.ppid}`);
  if (existsSync(marker)) return;
  try {
    writeFileSync(marker, reason);
  } catch {
    /* ignore */
  }
  console.warn(`[lab] skipping network lab tests: ${reason}`);
}

/**
 * describe() for lab tests: runs when the lab is supported; otherwise skipped with one line, or —
 * under CI=true — replaced by a failing test carrying the reason.
 */
export function describeLab(name: string, fn: () => void): void {
  const s = labSupport();
  if (s.ok) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('lab must run under CI', () => {
        throw new Error(`CI=true but ${s.reason}`);
      });
    });
    return;
  }
  reportSkipOnce(s.reason);
  describe.skip(name, fn);
}
