// How a failed REGISTER ends the call: the same verdicts as an INVITE that fails the same way
// (README's verdict table). Before, every REGISTER without a final response ended "no-response"
// with a generic register-failed finding — also when ICMP said nothing listens there.
import { describe, expect, it } from 'vitest';
import type { RegisterOutcome } from '../../engine/sip/user-agent.ts';
import { registrationFailure } from './analysis.ts';

const REGISTRAR = { address: '192.0.2.7', port: 5060 };
const failed = (o: Partial<RegisterOutcome>): RegisterOutcome => ({
  ok: false,
  status: null,
  reason: '',
  expires: null,
  authAlgorithm: null,
  via: null,
  failure: null,
  ...o,
});

describe('a REGISTER that fails', () => {
  it('refused by ICMP: unreachable, with the sip-unreachable finding naming what ICMP said', () => {
    const r = registrationFailure(
      failed({
        reason: 'nothing listens on udp/5060 at 192.0.2.7 (ICMP port unreachable)',
        failure: 'unreachable',
      }),
      REGISTRAR,
    );
    expect(r.endReason).toBe('unreachable');
    expect(r.finding.code).toBe('sip-unreachable');
    expect(r.finding.message).toContain('REGISTER to 192.0.2.7:5060');
    expect(r.finding.message).toContain('nothing listens on udp/5060 at 192.0.2.7');
  });

  it('never answered (Timer F): no-response, with the no-sip-response finding and its likely causes', () => {
    const r = registrationFailure(
      failed({ reason: 'no response from the registrar (Timer F)', failure: 'timeout' }),
      REGISTRAR,
    );
    expect(r.endReason).toBe('no-response');
    expect(r.finding.code).toBe('no-sip-response');
    expect(r.finding.message).toMatch(
      /No response at all to the REGISTER from 192\.0\.2\.7:5060 within 32 s/,
    );
    expect(r.finding.message).toMatch(/firewall|blocking/);
  });

  it('a broken connection: transport-error, not "no response"', () => {
    const r = registrationFailure(
      failed({ reason: 'transport error: connection reset', failure: 'transport-error' }),
      REGISTRAR,
    );
    expect(r.endReason).toBe('transport-error');
    expect(r.finding.code).toBe('register-failed');
  });

  it('refused credentials and other final answers keep their verdicts', () => {
    expect(registrationFailure(failed({ status: 403, reason: '403 Forbidden' }), REGISTRAR).endReason).toBe(
      'auth-failed',
    );
    const other = registrationFailure(failed({ status: 404, reason: '404 Not Found' }), REGISTRAR);
    expect(other.endReason).toBe('register-failed');
    expect(other.finding.code).toBe('register-failed');
  });
});
