import { useState } from 'react';
import { demoStunServer, useDemo } from '../../app/demo-context.tsx';
import { AlgStep } from '../alg/AlgStep.tsx';
import { EchoStep } from '../echo/EchoStep.tsx';
import { NatStep } from '../nat/NatStep.tsx';
import { NetworkStep } from '../network/NetworkStep.tsx';
import { ReportStep } from '../report/ReportStep.tsx';
import { RouterStep } from '../router/RouterStep.tsx';
import { NotBuiltStep } from './NotBuiltStep.tsx';
import { STEPS, type StepInfo } from './steps.ts';

function StepBody({ step }: { step: StepInfo }) {
  const { demo } = useDemo();
  // In the offline demo every step is pointed at the loopback companion server.
  const key = demo ? 'demo' : 'live';
  switch (step.id) {
    case 'network':
      return <NetworkStep />;
    case 'nat':
      return <NatStep key={key} presetServers={demo ? [demoStunServer(demo)] : undefined} />;
    case 'router':
      return <RouterStep />;
    case 'alg':
      return <AlgStep key={key} presetReflector={demo?.reflector} presetAltPort={demo?.altPort} />;
    case 'echo':
      return <EchoStep key={key} presetTarget={demo?.echoUri} />;
    case 'report':
      return <ReportStep />;
    default:
      return <NotBuiltStep step={step} />;
  }
}

export function Wizard() {
  const [index, setIndex] = useState(0);
  const step = STEPS[index]!;
  return (
    <div className="wizard">
      <nav className="steps" aria-label="Wizard steps">
        <ol>
          {STEPS.map((s, i) => (
            <li key={s.id}>
              <button
                type="button"
                className={i === index ? 'step current' : 'step'}
                aria-current={i === index ? 'step' : undefined}
                onClick={() => setIndex(i)}
              >
                <span className="step-num">{i + 1}</span>
                <span className="step-text">
                  <span className="step-title">{s.title}</span>
                  <span className="step-summary">{s.built ? s.summary : 'Not built yet'}</span>
                </span>
              </button>
            </li>
          ))}
        </ol>
      </nav>
      <main className="step-body">
        <StepBody step={step} />
        <div className="step-nav">
          <button type="button" disabled={index === 0} onClick={() => setIndex(index - 1)}>
            ← Back
          </button>
          <button type="button" disabled={index === STEPS.length - 1} onClick={() => setIndex(index + 1)}>
            Next: {STEPS[index + 1]?.title ?? 'done'} →
          </button>
        </div>
      </main>
    </div>
  );
}
