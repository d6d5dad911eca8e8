// One lab shared by the tests of a describe block: started before them (with `setup` for its
// peers), torn down after, and a wrapper that attaches the peers' logs (and SIPp's traces) to a
// failure so it can be read without re-running.
import { afterAll, beforeAll } from 'vitest';

import { attachLogs, startLab } from './lab.ts';
import type { Lab, LabOptions } from './lab.ts';
import type { VariantName } from './variants.ts';

export interface LabFixture {
  /** The lab (valid inside the tests, after beforeAll). */
  readonly lab: Lab;
  /** Wraps a test body: on failure the error carries the lab's logs. */
  withLogs(fn: () => Promise<void>): () => Promise<void>;
}

export function labFixture(
  variant: VariantName,
  options: LabOptions,
  setup?: (lab: Lab) => Promise<void>,
): LabFixture {
  let current: Lab | undefined;
  beforeAll(async () => {
    current = await startLab(variant, options);
    await setup?.(current);
  });
  afterAll(async () => {
    await current?.destroy();
  });
  const fixture: LabFixture = {
    get lab(): Lab {
      if (!current) throw new Error('the lab is not up (used outside a test?)');
      return current;
    },
    withLogs: (fn) => async () => {
      try {
        await fn();
      } catch (err) {
        const lab = fixture.lab;
        const traces = lab.sippTraces().slice(-8000);
        const e = err instanceof Error ? err : new Error(String(err));
        if (traces) e.message += `\n${traces}`;
        throw attachLogs(e, lab);
      }
    },
  };
  return fixture;
}
