import { z } from 'zod';
import { AREAS, FINDING_IDS } from '../model/diagnosis/findings.ts';

/** One diagnosis finding (shared/model/diagnosis) as it crosses the contract: in reports and `turn` results. */
const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const SummarySchema = z.record(z.string(), Scalar);

export const DiagnosisFindingSchema = z.object({
  id: z.enum(FINDING_IDS),
  area: z.enum(AREAS),
  severity: z.enum(['ok', 'info', 'warning', 'problem']),
  title: z.string(),
  evidence: SummarySchema,
  advice: z.array(z.string()),
  references: z.array(z.object({ title: z.string(), url: z.string() })),
});
