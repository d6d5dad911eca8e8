// Fuzz run of web mode's HTTP and WebSocket layers (issue #18 acceptance): 1,200 malformed request
// lines, targets, headers and WebSocket frames from a seeded generator, against a host in its own
// process; it must still be alive and answering at the end. Reproduce a failure with the same seed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawExchange, upgradeRequest, wsExchange, wsFrame } from './testing/raw-client.ts';
import { expectAlive, spawnTestHost, TEST_TOKEN, type HostProcess } from './testing/host-process.ts';

const SEED = Number(process.env.NATSCOPE_FUZZ_SEED ?? 18);
const PER_KIND = 300;
const CONCURRENCY = 32;

let host: HostProcess;
beforeAll(async () => {
  host = await spawnTestHost();
});
afterAll(() => host.stop());

function prng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const str = (alphabet: string, max: number) =>
    Array.from({ length: int(max + 1) }, () => alphabet[int(alphabet.length)]).join('');
  const bytes = (max: number) => Buffer.from(Array.from({ length: int(max + 1) }, () => int(256)));
  return { next, int, pick, str, bytes };
}
const r = prng(SEED);

const TARGET_CHARS = '/[]%:@?#\\.x9=&~ %00%2f%ZZ\u00e9';
const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'OPTIONS',
  'CONNECT',
  'TRACE',
  'G E T',
  '',
  'get',
  'PRI',
  'X'.repeat(40),
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 x', '', 'http/1.1', 'HTTP/1'];
const target = () =>
  r.pick([
    () => `/${r.str(TARGET_CHARS, 30)}`,
    () => `//${r.str(TARGET_CHARS, 30)}`,
    () => `http://${r.str(TARGET_CHARS, 20)}`,
    () => r.str(TARGET_CHARS, 20),
    () => `/rpc?token=${r.str(TARGET_CHARS, 40)}`,
    () => `/${'a/'.repeat(r.int(3000))}`,
  ])();

const host_ = () => `127.0.0.1:${host.port}`;
const request = (line: string, headers: string[], body = '') =>
  `${line}\r\n${headers.join('\r\n')}\r\n\r\n${body}`;

const HEADER_GARBAGE = [
  () => `Host: ${host_()}`,
  () => 'Host: evil.example',
  () => `Host: ${host_()}\r\nHost: ${host_()}`,
  () => `${r.str('abcXYZ-:\u0000\r\n \t', 20)}: ${r.str('abc\u0000\u007f\r\n\t :;"', 40)}`,
  () => ` folded: ${r.str('abc', 10)}`,
  () => `X-Big: ${'x'.repeat(r.int(40_000))}`,
  () => `Content-Length: ${r.pick(['-1', '99999999999999999999', 'abc', '5, 6', '0'])}`,
  () => 'Transfer-Encoding: chunked',
  () => `Transfer-Encoding: ${r.pick(['gzip', 'chunked, identity', 'x'])}`,
  () => 'Upgrade: websocket\r\nConnection: Upgrade',
  () => `Sec-WebSocket-Key: ${r.str('abc=+/', 30)}`,
  () => `Sec-WebSocket-Version: ${r.pick(['13', '8', '', 'x', '99'])}`,
  () => `Origin: ${r.pick([`http://${host_()}`, 'null', 'http://evil.example', ''])}`,
  () => `Expect: ${r.pick(['100-continue', 'x'])}`,
];

function httpCase(i: number): Buffer | string {
  switch (i % 3) {
    case 0: // request lines
      return request(`${r.pick(METHODS)} ${target()} ${r.pick(VERSIONS)}`, [
        `Host: ${host_()}`,
        'Connection: close',
      ]);
    case 1: // targets, on GET and on upgrades
      return r.next() < 0.5
        ? request(`GET ${target()} HTTP/1.1`, [`Host: ${host_()}`, 'Connection: close'])
        : upgradeRequest(host.port, target());
    default: {
      // headers (and bodies that contradict them)
      const headers = Array.from({ length: 1 + r.int(6) }, () => r.pick(HEADER_GARBAGE)());
      const body = r.next() < 0.3 ? r.pick(['0\r\n\r\n', 'zz\r\nxx', r.bytes(200).toString('latin1')]) : '';
      return request(
        `${r.pick(['GET', 'POST'])} ${r.pick(['/', '/rpc', `/rpc?token=${TEST_TOKEN}`])} HTTP/1.1`,
        headers,
        body,
      );
    }
  }
}

function wsCase(): Buffer {
  const frames = Array.from({ length: 1 + r.int(3) }, () => {
    const payload = r.pick([
      () => r.bytes(200),
      () =>
        Buffer.from(
          JSON.stringify({
            type: r.pick(['request', 'cancel', 'x']),
            id: r.str('ab', 70),
            method: r.pick(['app.info', 'nope', '']),
            input: r.pick([null, 1, 'x', {}, []]),
          }),
        ),
      () => Buffer.from(r.str('{}[]":,0a\u0000\u00ff', 100)),
      () => Buffer.from([0x03, 0xe8, ...r.bytes(10)]),
    ])();
    return wsFrame({
      opcode: r.int(16),
      payload,
      fin: r.next() < 0.8,
      rsv: r.next() < 0.1 ? r.int(8) : 0,
      masked: r.next() < 0.9,
      announce: r.next() < 0.1 ? r.pick([payload.length + 10, 70_000, 0x7fff_ffff, 2 ** 40]) : undefined,
    });
  });
  return Buffer.concat(frames);
}

async function runAll(cases: (() => Promise<unknown>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < cases.length) await cases[next++]!();
    }),
  );
}

it(`survives ${PER_KIND * 4} malformed requests and frames (seed ${SEED})`, async () => {
  const cases: (() => Promise<unknown>)[] = [];
  for (let i = 0; i < PER_KIND * 3; i++) {
    const data = httpCase(i);
    cases.push(() => rawExchange(host.port, data, 300));
  }
  for (let i = 0; i < PER_KIND; i++) {
    const frames = wsCase();
    cases.push(() => wsExchange(host.port, TEST_TOKEN, frames, 300));
  }
  expect(cases.length).toBeGreaterThanOrEqual(1000);
  await runAll(cases);
  await expectAlive(host);
}, 120_000);
