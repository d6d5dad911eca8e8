import { describe, expect, it } from 'vitest';
import { hostPortProblem, sipUriProblem } from './input-checks.ts';

describe('hostPortProblem', () => {
  it.each([
    'stun.example.org',
    'stun.example.org:3478',
    '203.0.113.10',
    '[2001:db8::1]:3478',
    '2001:db8::1',
    '::1',
    'fe80::1%eth0',
    'localhost',
  ])('%s is fine', (s) => expect(hostPortProblem(s)).toBeNull());
  it.each([
    ['host:0', 'port'],
    ['host:65536', 'port'],
    ['host:-1', 'port'],
    ['1.2.3.999', 'IPv4'],
    ['[2001:db8::1::2]:5', 'IPv6'],
    ['bad host', 'host name'],
    ['', 'empty'],
  ])('%s is refused (%s)', (s, word) => expect(hostPortProblem(s)).toContain(word));
});

describe('sipUriProblem', () => {
  it.each([
    'sip:9196@conference.freeswitch.org',
    'sips:echo@pbx.example.com:5061',
    'sip:echo@203.0.113.10:5060;transport=tcp',
    'sip:echo@[2001:db8::1]:5060',
    'sip:pbx.example.com',
    'sip:echo@host;transport=WSS?subject=x',
  ])('%s is fine', (u) => expect(sipUriProblem(u)).toBeNull());
  it.each([
    ['sip:', 'no host'],
    ['echo@host', 'not a SIP URI'],
    ['sip:echo@host:0', 'port 0 is not a port'],
    ['sip:echo@host:99999', 'not a port'],
    ['sip:echo@host:', 'not a port'],
    ['sip:echo@host;transport=foo', 'unknown transport "foo"'],
    ['sip:echo@bad_host!', 'not a host'],
    ['sip:echo@[1.2.3.4]', 'IPv6'],
  ])('%s is refused', (u, words) => expect(sipUriProblem(u)).toContain(words));
});
