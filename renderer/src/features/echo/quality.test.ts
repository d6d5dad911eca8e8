import { describe, expect, it } from 'vitest';
import { judge, mosBand, THRESHOLDS } from './quality.ts';

const t = (key: string) => THRESHOLDS.find((x) => x.key === key)!;

describe('call quality thresholds', () => {
  it('passes strictly below the threshold and fails at or above it', () => {
    expect(judge(t('lossPercent'), { lossPercent: 0.9, jitterMs: null, rttMs: null })).toBe('pass');
    expect(judge(t('lossPercent'), { lossPercent: 1, jitterMs: null, rttMs: null })).toBe('fail');
    expect(judge(t('jitterMs'), { lossPercent: 0, jitterMs: 30, rttMs: null })).toBe('fail');
    expect(judge(t('rttMs'), { lossPercent: 0, jitterMs: 1, rttMs: 149 })).toBe('pass');
  });

  it('says unknown, never pass, when the metric was not measured', () => {
    expect(judge(t('rttMs'), { lossPercent: 0, jitterMs: 1, rttMs: null })).toBe('unknown');
    expect(judge(t('jitterMs'), null)).toBe('unknown');
  });

  it('maps MOS to the G.107/G.109 satisfaction bands', () => {
    expect(mosBand(4.4).label).toBe('users very satisfied');
    expect(mosBand(3.8).tone).toBe('ok');
    expect(mosBand(3.3).tone).toBe('warning');
    expect(mosBand(2.0).tone).toBe('problem');
  });
});
