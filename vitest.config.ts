import { defineConfig } from 'vitest/config';

// Three projects: fast unit tests beside the code, renderer component tests in jsdom,
// and the network lab (root + Linux, real peers in namespaces) which CI runs separately.
// In CI a JSON report per run lets .ci/run print one "N passed, N failed" closing line.
const reportDir = process.env.NATSCOPE_TEST_REPORT_DIR;
const reporters: (string | [string, Record<string, unknown>])[] = reportDir
  ? ['default', ['json', { outputFile: `${reportDir}/vitest-${Date.now()}-${process.pid}.json` }]]
  : ['default'];

export default defineConfig({
  test: {
    reporters,
    projects: [
      {
        test: {
          name: 'unit',
          // A bound, not a speed target: fuzz campaigns and process-spawning tests take 1–2 s on an idle
          // machine and over 5 s (Vitest's default) on a loaded 2-core one.
          testTimeout: 30_000,
          include: ['shared/**/*.test.ts', 'electron/**/*.test.ts', 'test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'renderer',
          include: ['renderer/**/*.test.tsx', 'renderer/**/*.test.ts'],
          environment: 'jsdom',
        },
      },
      {
        test: {
          name: 'lab',
          include: ['test/lab/**/*.lab.test.ts'],
          exclude: ['test/lab/**/*.quiet.lab.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Lab tests mostly wait (timers, call durations, NAT timeouts), and every lab has its own
          // namespaces: run four files at a time (one run: 473 s serial → 143 s).
          fileParallelism: true,
          maxWorkers: 4,
        },
      },
      {
        test: {
          // Lab files whose assertions are times (RTT against the wire, jitter, a binding lifetime, a
          // time budget): one file at a time after the parallel phase, so three busy neighbours
          // cannot make a timer fire late.
          name: 'lab-quiet',
          include: ['test/lab/**/*.quiet.lab.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
