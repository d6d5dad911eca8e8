import type { ComponentType } from 'react';
import type { Area, Severity } from '../../../shared/model/diagnosis/findings.ts';
import type { SessionSnapshot } from './session/store.ts';

/**
 * How UI is added: a feature exports one `Feature` object and gets one line in app/features.ts.
 * It may bring wizard steps (a sidebar entry and a page), components for named slots inside other
 * steps, and rows for the verdict page. Nothing else has to change: the sidebar, the heading and
 * focus handling, the done/problem marks and the verdict page all read the registry.
 */
export interface Feature {
  id: string;
  steps?: StepDef[];
  slots?: SlotDef[];
  verdicts?: VerdictAreaDef[];
}

/** What the sidebar shows beside a step. */
export type StepMark = 'running' | Severity | null;

export interface StepDef {
  id: string;
  /** Sidebar label and the page's h1. */
  title: string;
  /** One line under the title in the sidebar. */
  summary: string;
  /** Position in the sidebar: home 0, network 10, nat 20, router 30, alg 40, echo 50, report 90. */
  order: number;
  /** The page. It renders its body only: the frame renders the h1 (title) and moves focus to it. */
  Component: ComponentType;
  /** Optional line under the h1. */
  description?: string;
  /** The report areas whose traffic light marks this step in the sidebar (done / problem). */
  areas?: Area[];
  /** Run keys (see SessionStore.start) that show this step as running. Default: [id]. */
  runKeys?: string[];
  /** A custom mark, for steps whose state is not a report area (it wins when not undefined). */
  mark?(s: SessionSnapshot): StepMark | undefined;
}

/**
 * Extension points inside steps. A slot component gets no props: it reads and writes the session
 * through the hooks in app/session (useSession, useSessionState, useInputPatch).
 * - `home.actions`: buttons beside "Check my connection".
 * - `nat.cards`: cards after the NAT behaviour cards (e.g. a TURN "Relay" card).
 * - `echo.options`: controls in the echo call's form; contribute to the call input with useInputPatch('echo', id).
 * - `echo.panels`: panels under the echo call's results.
 * - `report.sections`: sections after the findings on the Report step.
 */
export type SlotName = 'home.actions' | 'nat.cards' | 'echo.options' | 'echo.panels' | 'report.sections';

export interface SlotDef {
  slot: SlotName;
  id: string;
  order: number;
  Component: ComponentType;
}

/** One row of the verdict page ("Check my connection"): a traffic light, a headline, the evidence. */
export interface VerdictRow {
  tone: Severity | 'unknown' | 'running' | 'not-checked';
  /** The verdict in words, e.g. "Port-restricted cone NAT". */
  headline: string;
  /** The facts it rests on, one per line ("STUN server 203.0.113.10:3478 saw 198.51.100.7:40012"). */
  evidence: string[];
  /** Optional fuller explanation. */
  detail?: string;
}

export interface VerdictAreaDef {
  id: string;
  title: string;
  order: number;
  /** The step that shows the details (linked from the row). */
  stepId?: string;
  evaluate(s: SessionSnapshot): VerdictRow;
}

export interface Registry {
  steps: StepDef[];
  slots: Record<SlotName, SlotDef[]>;
  verdicts: VerdictAreaDef[];
}

const byOrder = <T extends { order: number }>(a: T, b: T) => a.order - b.order;

export function buildRegistry(features: Feature[]): Registry {
  const steps = features.flatMap((f) => f.steps ?? []).sort(byOrder);
  const ids = new Set<string>();
  for (const s of steps) {
    if (ids.has(s.id)) throw new Error(`two steps registered with id "${s.id}"`);
    ids.add(s.id);
  }
  const slots: Registry['slots'] = {
    'home.actions': [],
    'nat.cards': [],
    'echo.options': [],
    'echo.panels': [],
    'report.sections': [],
  };
  for (const s of features.flatMap((f) => f.slots ?? [])) slots[s.slot].push(s);
  for (const list of Object.values(slots)) list.sort(byOrder);
  const verdicts = features.flatMap((f) => f.verdicts ?? []).sort(byOrder);
  return { steps, slots, verdicts };
}
