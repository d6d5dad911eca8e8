/**
 * What every service method receives besides its input: a cancellation signal and a way to
 * stream events (progress, live stats) to whichever front door called it.
 */
export interface CallContext<E = never> {
  signal: AbortSignal;
  emit(event: E): void;
}

export function standaloneContext<E = never>(
  onEvent: (event: E) => void = () => {},
  signal: AbortSignal = new AbortController().signal,
): CallContext<E> {
  return { signal, emit: onEvent };
}
