import { useCallback, useEffect, useRef, useState } from 'react';
import type { MethodEvent, MethodInput, MethodName, MethodOutput } from '../../../shared/contracts/index.ts';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import { useBridge } from './bridge-context.tsx';

export type CallState<M extends MethodName> =
  | { status: 'idle' }
  | { status: 'running'; events: MethodEvent<M>[] }
  | { status: 'done'; output: MethodOutput<M>; events: MethodEvent<M>[] }
  | { status: 'failed'; error: NatScopeError; events: MethodEvent<M>[] };

/** Runs one contract method from a component: state, streamed events, cancel on unmount. */
export function useCall<M extends MethodName>(method: M) {
  const { bridge } = useBridge();
  const [state, setState] = useState<CallState<M>>({ status: 'idle' });
  const controller = useRef<AbortController | null>(null);

  useEffect(() => () => controller.current?.abort(), []);

  const run = useCallback(
    async (input: MethodInput<M>) => {
      controller.current?.abort();
      const c = new AbortController();
      controller.current = c;
      const events: MethodEvent<M>[] = [];
      setState({ status: 'running', events });
      try {
        const output = await bridge.call(method, input, {
          signal: c.signal,
          onEvent: (e) => {
            events.push(e);
            setState({ status: 'running', events: [...events] });
          },
        });
        if (!c.signal.aborted) setState({ status: 'done', output, events });
      } catch (err) {
        const error = err instanceof NatScopeError ? err : new NatScopeError('internal', String(err));
        if (!c.signal.aborted || error.code === 'cancelled') setState({ status: 'failed', error, events });
      }
    },
    [bridge, method],
  );

  const cancel = useCallback(() => controller.current?.abort(), []);
  return { state, run, cancel };
}
