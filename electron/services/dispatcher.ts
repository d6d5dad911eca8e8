import { contract, isMethodName, NatScopeError, toWireError } from '../../shared/contracts/index.ts';
import { ClientFrame, type ServerFrame } from '../../shared/contracts/rpc.ts';
import type { Handler, Handlers } from './handlers.ts';
import type { MethodName } from '../../shared/contracts/index.ts';

/**
 * Runs contract calls for one connected client (an Electron window or a WebSocket). The receiving
 * side validates: every incoming frame and input is checked against the contract's schemas before a
 * service sees it. Errors leave as `{error: {code, message, detail}}`.
 */
export class Dispatcher {
  private readonly running = new Map<string, AbortController>();
  private readonly handlers: Handlers;
  private readonly send: (frame: ServerFrame) => void;

  constructor(handlers: Handlers, send: (frame: ServerFrame) => void) {
    this.handlers = handlers;
    this.send = send;
  }

  /** Accepts one raw frame (already JSON-decoded). Never throws; bad frames are answered with errors. */
  receive(raw: unknown): void {
    const parsed = ClientFrame.safeParse(raw);
    if (!parsed.success) {
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : '?';
      this.send({
        type: 'error',
        id,
        ...toWireError(new NatScopeError('bad-request', 'malformed frame', parsed.error.issues)),
      });
      return;
    }
    const frame = parsed.data;
    if (frame.type === 'cancel') {
      this.running.get(frame.id)?.abort(new NatScopeError('cancelled', 'cancelled by the user'));
      return;
    }
    void this.run(frame.id, frame.method, frame.input);
  }

  /** Aborts every running call (window closed, socket dropped). */
  closeAll(): void {
    for (const c of this.running.values()) c.abort(new NatScopeError('cancelled', 'client went away'));
    this.running.clear();
  }

  private async run(id: string, method: string, rawInput: unknown): Promise<void> {
    if (this.running.has(id)) {
      this.send({
        type: 'error',
        id,
        ...toWireError(new NatScopeError('bad-request', `duplicate call id ${id}`)),
      });
      return;
    }
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      if (!isMethodName(method)) throw new NatScopeError('unknown-method', `unknown method "${method}"`);
      const spec = contract[method];
      const input = spec.input.safeParse(rawInput ?? {});
      if (!input.success)
        throw new NatScopeError('bad-request', `invalid input for ${method}`, input.error.issues);
      const handler = this.handlers[method] as Handler<MethodName>;
      const output = await handler(input.data as never, {
        signal: controller.signal,
        emit: (event) => {
          if (!controller.signal.aborted) this.send({ type: 'event', id, event });
        },
      });
      this.send({ type: 'result', id, output });
    } catch (err) {
      const e = controller.signal.aborted && !(err instanceof NatScopeError) ? controller.signal.reason : err;
      this.send({ type: 'error', id, ...toWireError(e) });
    } finally {
      this.running.delete(id);
    }
  }
}
