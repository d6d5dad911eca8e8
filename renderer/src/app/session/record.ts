import type { SessionResults, SessionStore } from './store.ts';

/** A run's `record` option that stores its output as the session's latest result of one kind. */
export const recordAs =
  <K extends keyof SessionResults>(key: K) =>
  (output: SessionResults[K], store: SessionStore) =>
    store.setResult(key, output);
