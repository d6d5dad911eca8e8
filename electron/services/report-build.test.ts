// report.build takes the results the host already holds (issue #18 item 6): the Report step's
// frame stays small even when the router table is 1,024 mappings (over 1 MiB as JSON).
import { describe, expect, it } from 'vitest';
import { ReportBuildInputSchema } from '../../shared/contracts/report.ts';
import type { RouterMapping, RouterReport } from '../../shared/contracts/router.ts';
import { createReportService, type DiagnoseDeps } from './report-service.ts';
import { createSessionResults } from './session-results.ts';

const mapping = (i: number): RouterMapping => ({
  via: 'upnp',
  protocol: 'udp',
  externalIp: null,
  externalPort: 10_000 + i,
  internalClient: '192.168.1.10',
  internalPort: 10_000 + i,
  remoteHost: null,
  description: `mapping ${i} ${'d'.repeat(1000)}`,
  enabled: true,
  leaseSeconds: 3600,
  leaseRemainingSeconds: 3000,
  permanent: false,
  createdByNatScope: false,
  kept: false,
  ledgerId: null,
});

const bigRouter = (): RouterReport =>
  ({
    gateway: '192.168.1.1',
    localAddress: '192.168.1.10',
    upnp: {
      found: true,
      mappings: Array.from({ length: 1024 }, (_, i) => mapping(i)),
      services: [],
      ssdp: [],
      errors: [],
    },
    natpmp: { supported: false, externalIp: null },
    pcp: { supported: false, externalIp: null },
    findings: [],
    ownMappings: [],
    warnings: [],
  }) as unknown as RouterReport;

function service() {
  const session = createSessionResults();
  const deps = {
    app: {
      info: async () => ({
        version: 'test',
        platform: 'linux-x64',
        nodeVersion: '24',
        electronVersion: null,
      }),
    },
    session,
  } as unknown as DiagnoseDeps;
  return { session, report: createReportService(deps) };
}

describe('report.build with fromHost', () => {
  it('uses the host copy of a 1,024-mapping router table; the request frame stays tiny', async () => {
    const { session, report } = service();
    const router = bigRouter();
    await session.remember('router', Promise.resolve(router));
    expect(JSON.stringify(router).length).toBeGreaterThan(1 << 20);
    const input = { fromHost: ['router' as const], secrets: [] };
    const frame = JSON.stringify({ type: 'request', id: '1', method: 'report.build', input });
    expect(frame.length).toBeLessThan(200);
    const r = await report.build(ReportBuildInputSchema.parse(input));
    expect(r.router?.mappings).toHaveLength(1024);
    expect(r.steps.find((s) => s.id === 'router')).toMatchObject({ status: 'done' });
  });

  it('a step the host no longer has is skipped, and says why', async () => {
    const { report } = service();
    const r = await report.build(ReportBuildInputSchema.parse({ fromHost: ['nat'] }));
    expect(r.steps.find((s) => s.id === 'nat')).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining('no longer has'),
    });
  });
});
