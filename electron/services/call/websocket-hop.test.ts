// Which transport a call takes: the URI's own choice (sips:, ;transport=) over the default UDP, never
// silently replaced by UDP; a WebSocket URL decides for itself.
import { describe, expect, it } from 'vitest';
import { CallEchoInputSchema } from '../../../shared/contracts/call.ts';
import { chooseTransport } from './websocket-hop.ts';

const transportOf = (target: string, more: Record<string, unknown> = {}) =>
  chooseTransport(CallEchoInputSchema.parse({ target, ...more }));

describe('chooseTransport', () => {
  it('takes sips: and ;transport= from the URI when no transport is asked for', () => {
    expect(transportOf('sip:echo@192.0.2.1')).toBe('udp');
    expect(transportOf('sips:echo@192.0.2.1')).toBe('tls');
    expect(transportOf('sip:echo@192.0.2.1;transport=tcp')).toBe('tcp');
    expect(transportOf('sip:echo@192.0.2.1:5061;transport=TLS')).toBe('tls');
    expect(transportOf('sip:echo@192.0.2.1;lr;transport=udp')).toBe('udp');
    // A header after '?' is not a URI parameter.
    expect(transportOf('sip:echo@192.0.2.1?x=a;transport=tcp')).toBe('udp');
  });

  it('an asked-for transport stays', () => {
    expect(transportOf('sip:echo@192.0.2.1;transport=tcp', { transport: 'tls' })).toBe('tls');
  });

  it('refuses a URI transport it cannot take instead of calling over UDP', () => {
    expect(() => transportOf('sip:echo@192.0.2.1;transport=sctp')).toThrow(
      /asks for transport sctp, which NatScope does not speak/,
    );
    expect(() => transportOf('sip:echo@192.0.2.1;transport=wss')).toThrow(/WebSocket URL/);
  });
});
