import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sampleAt } from '../../../shared/model/monitor/testing.ts';
import { HistoryWriter } from './history-file.ts';

const dir = () => mkdtempSync(path.join(tmpdir(), 'natscope-history-'));

describe('monitor history file', () => {
  it('appends one line per record and replays them on the next open', async () => {
    const file = path.join(dir(), 'h.jsonl');
    const a = await HistoryWriter.open(file);
    expect(a.replay.intervals).toBe(0);
    for (let i = 0; i < 3; i++) await a.writer.append(sampleAt(i));
    await a.writer.close();
    expect(readFileSync(file, 'utf8').split('\n')).toHaveLength(4);
    const b = await HistoryWriter.open(file);
    expect(b.replay.nextSeq).toBe(3);
    expect(b.replay.detector.stunIp).toBe('203.0.113.2');
    await b.writer.close();
  });

  it('cuts a torn last line (power cut) before appending', async () => {
    const file = path.join(dir(), 'h.jsonl');
    writeFileSync(file, `${JSON.stringify(sampleAt(0))}\n${JSON.stringify(sampleAt(1)).slice(0, 80)}`);
    const { writer, replay, repaired } = await HistoryWriter.open(file);
    expect(repaired).toBe(true);
    expect(replay.intervals).toBe(1);
    await writer.append(sampleAt(1));
    await writer.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([0, 1]);
  });

  it('refuses a second writer while the first lives, and takes over a dead one’s lock', async () => {
    const d = dir();
    const file = path.join(d, 'h.jsonl');
    const a = await HistoryWriter.open(file);
    await expect(HistoryWriter.open(file)).rejects.toThrow(/already writing/);
    await a.writer.close();
    writeFileSync(`${file}.lock`, '1\n'); // pid 1 (init) lives
    await expect(HistoryWriter.open(file)).rejects.toThrow(/another monitor \(pid 1\) is writing/);
    // pid 2^22 + 1 is above Linux's pid_max: never a live process
    writeFileSync(`${file}.lock`, `${2 ** 22 + 1}\n`);
    const b = await HistoryWriter.open(file);
    await b.writer.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('rotates to FILE.1 past the size limit', async () => {
    const file = path.join(dir(), 'h.jsonl');
    const { writer } = await HistoryWriter.open(file, { maxBytes: 3000 });
    for (let i = 0; i < 6; i++) await writer.append(sampleAt(i));
    await writer.close();
    expect(existsSync(`${file}.1`)).toBe(true);
    const size = readFileSync(file, 'utf8').length;
    expect(size).toBeLessThanOrEqual(3000);
  });
});
