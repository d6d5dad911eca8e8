import type { Feature } from '../../app/registry.ts';
import { MONITOR_VIEW, type MonitorView } from './monitor-controller.ts';
import { MonitorReportOption } from './MonitorReportOption.tsx';
import { MonitorStep } from './MonitorStep.tsx';

/** "It breaks now and then" (issue #17): the monitor's step, and its history as a report page. */
export const monitorFeature: Feature = {
  id: 'monitor',
  steps: [
    {
      id: 'monitor',
      title: 'Monitor',
      summary: 'Watch for hours: events and a timeline',
      description:
        'For faults that come and go: NatScope probes every interval and reports what changed — public address, mapping, router, registration, loss, call quality.',
      order: 70,
      Component: MonitorStep,
      mark: (s) => ((s.slices[MONITOR_VIEW] as MonitorView | undefined)?.running ? 'running' : null),
    },
  ],
  slots: [{ slot: 'report.sections', id: 'monitor.report', order: 20, Component: MonitorReportOption }],
};
