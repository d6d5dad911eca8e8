import type { Feature } from '../../app/registry.ts';
import { ReportStep } from './ReportStep.tsx';

export const reportFeature: Feature = {
  id: 'report',
  steps: [
    {
      id: 'report',
      title: 'Report',
      summary: 'Findings and an export for bug reports',
      description:
        'Findings from every step, what to do next, and a report to attach to a bug or support ticket.',
      order: 90,
      Component: ReportStep,
      mark: () => null,
    },
  ],
};
