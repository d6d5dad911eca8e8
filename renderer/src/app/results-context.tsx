import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import type { AlgResult } from '../../../shared/contracts/alg.ts';
import type { CallResult, RtpStats } from '../../../shared/contracts/call.ts';
import type { NatReport } from '../../../shared/contracts/nat.ts';
import type { NetworkSnapshot } from '../../../shared/contracts/network.ts';
import type { RouterReport } from '../../../shared/contracts/router.ts';

/**
 * The latest result of each wizard step in this session, so the Report step can build a report
 * from what the user already ran. Secrets typed in a step (the SIP password) are kept here only to
 * tell the report builder what to redact.
 */
export interface WizardResults {
  network?: NetworkSnapshot;
  nat?: NatReport;
  router?: RouterReport;
  alg?: AlgResult;
  call?: CallResult;
  callSamples?: RtpStats[];
  secrets?: string[];
}

interface ResultsValue {
  results: WizardResults;
  set<K extends keyof WizardResults>(key: K, value: WizardResults[K]): void;
  reset(): void;
}

const ResultsContext = createContext<ResultsValue | null>(null);

export function ResultsProvider({ children }: { children: ReactNode }) {
  const [results, setResults] = useState<WizardResults>({});
  const set = useCallback(
    <K extends keyof WizardResults>(key: K, value: WizardResults[K]) =>
      setResults((r) => ({ ...r, [key]: value })),
    [],
  );
  const reset = useCallback(() => setResults({}), []);
  const value = useMemo(() => ({ results, set, reset }), [results, set, reset]);
  return <ResultsContext.Provider value={value}>{children}</ResultsContext.Provider>;
}

/** Outside a provider (component tests) results are simply not recorded. */
const NO_RESULTS: ResultsValue = { results: {}, set: () => {}, reset: () => {} };

export function useResults(): ResultsValue {
  return useContext(ResultsContext) ?? NO_RESULTS;
}
