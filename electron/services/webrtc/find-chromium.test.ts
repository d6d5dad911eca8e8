import { describe, expect, it } from 'vitest';
import { findChromium } from './find-chromium.ts';

const noDownload = { executablePath: () => '/nonexistent/ms-playwright/chrome' };

describe('natscope webrtc: finding the browser', () => {
  it('takes --chromium, then NATSCOPE_CHROMIUM, then the usual places', () => {
    expect(findChromium(process.execPath, noDownload, [])).toBe(process.execPath);
    const saved = process.env.NATSCOPE_CHROMIUM;
    process.env.NATSCOPE_CHROMIUM = process.execPath;
    try {
      expect(findChromium(undefined, noDownload, ['/nonexistent/chromium'])).toBe(process.execPath);
    } finally {
      if (saved === undefined) delete process.env.NATSCOPE_CHROMIUM;
      else process.env.NATSCOPE_CHROMIUM = saved;
    }
  });

  it('without any browser: one line saying what to install', () => {
    const saved = process.env.NATSCOPE_CHROMIUM;
    delete process.env.NATSCOPE_CHROMIUM;
    try {
      expect(() => findChromium(undefined, noDownload, ['/nonexistent/a', '/nonexistent/b'])).toThrow(
        /^natscope webrtc needs Chromium or Google Chrome and found none: install one \(Debian\/Ubuntu: apt install chromium\), or give --chromium PATH or NATSCOPE_CHROMIUM$/,
      );
    } finally {
      if (saved !== undefined) process.env.NATSCOPE_CHROMIUM = saved;
    }
  });
});
