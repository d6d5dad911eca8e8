import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentOwner, defaultStateDir, isOwnerAlive, openLedger, type LedgerEntry } from './ledger.ts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'natscope-ledger-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (id: string): LedgerEntry => ({
  id,
  via: 'upnp',
  protocol: 'udp',
  externalPort: 1,
  internalPort: 1,
  internalClient: '192.168.1.10',
  externalIp: null,
  gateway: '192.168.1.1',
  description: `NatScope ${id}`,
  leaseSeconds: 600,
  createdAt: 0,
  expiresAt: 600_000,
  state: 'pending',
  kept: false,
  owner: currentOwner(),
});

describe('ledger', () => {
  it('resolves the state dir', () => {
    expect(defaultStateDir({ NATSCOPE_STATE_DIR: '/x' }, 'linux', '/home/u')).toBe('/x');
    expect(defaultStateDir({ XDG_STATE_HOME: '/s' }, 'linux', '/home/u')).toBe('/s/natscope');
    expect(defaultStateDir({}, 'linux', '/home/u')).toBe('/home/u/.local/state/natscope');
  });
  it('adds, patches, removes atomically; concurrent updates do not lose entries', async () => {
    const l = openLedger(join(dir, 'sub'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => l.add(entry(`e${i}`))));
    expect((await l.list()).length).toBe(20);
    await l.patch('e3', { state: 'active' });
    expect((await l.list()).find((e) => e.id === 'e3')?.state).toBe('active');
    await l.remove('e3');
    expect((await l.list()).length).toBe(19);
    expect(readdirSync(join(dir, 'sub')).sort()).toEqual(['mappings.json']);
  });
  it('moves a corrupt file aside instead of failing', async () => {
    writeFileSync(join(dir, 'mappings.json'), '{not json');
    const l = openLedger(dir);
    expect(await l.list()).toEqual([]);
    expect(readdirSync(dir).some((f) => f.startsWith('mappings.json.corrupt-'))).toBe(true);
  });
  it('takes over at once a lock whose holder is gone (SIGKILL), not after the 10 s stale age', async () => {
    writeFileSync(join(dir, 'mappings.json.lock'), JSON.stringify({ pid: 2 ** 22 + 99, startTime: null }));
    const l = openLedger(dir);
    await l.add(entry('after-kill')); // before the fix: "locked by another process" after the 3 s wait
    expect((await l.list()).map((e) => e.id)).toEqual(['after-kill']);
  });
  it('tells live owners from dead ones (reused pid, zombie)', () => {
    expect(isOwnerAlive(currentOwner())).toBe(true);
    expect(isOwnerAlive({ pid: 2 ** 22 + 99, startTime: null })).toBe(false);
    if (process.platform === 'linux')
      expect(isOwnerAlive({ pid: process.ppid, startTime: 'not-its-start-time' })).toBe(false);
  });
});
