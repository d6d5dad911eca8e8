import type { StepResults } from '../../shared/model/diagnosis/from-results.ts';
import type { HostResultStep } from '../../shared/contracts/report.ts';

/**
 * The latest result of each wizard step this host ran for a front door (the desktop window or a
 * web-mode page). `report.build` refers to them by name (`fromHost`) instead of the UI sending
 * results back that the host already has: a 1,024-mapping router table alone is over 1 MiB, and
 * round-tripping it made the Report step exceed web mode's frame limit. Bounded: one per step.
 */
export function createSessionResults() {
  const latest: Pick<StepResults, HostResultStep> = {};
  return {
    /** Passes a step's result through, keeping it as that step's latest. */
    async remember<K extends HostResultStep>(step: K, result: Promise<NonNullable<StepResults[K]>>) {
      const r = await result;
      latest[step] = r;
      return r;
    },
    get<K extends HostResultStep>(step: K): StepResults[K] {
      return latest[step];
    },
  };
}

export type SessionResults = ReturnType<typeof createSessionResults>;
