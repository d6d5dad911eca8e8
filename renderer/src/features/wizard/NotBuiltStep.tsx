import type { StepInfo } from './steps.ts';

export function NotBuiltStep({ step }: { step: StepInfo }) {
  return (
    <section className="panel" aria-labelledby="step-title">
      <h2 id="step-title">{step.title}</h2>
      <p className="muted">{step.summary}</p>
      <div className="notice" role="status">
        <strong>Not built yet.</strong> This step is planned but does not work in this version of NatScope, so
        it runs nothing and shows no results.
      </div>
    </section>
  );
}
