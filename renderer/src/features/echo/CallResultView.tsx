import type { CallResult, RtpStats } from '../../../../shared/contracts/call.ts';
import type { EchoAudioState } from './echo-controller.ts';
import { RttSources } from './RttSources.tsx';

/** The call's verdict in one line, then the raw counters behind the charts. */
export function CallResultView(props: {
  result: CallResult;
  last: RtpStats | null;
  audio: EchoAudioState | undefined;
  microphone: boolean;
}) {
  const { result: r, last, audio } = props;
  const good = r.answered && !r.oneWayAudio;
  return (
    <>
      <div className={good ? 'notice ok' : 'error-banner'} data-testid="echo-result">
        <strong>
          {r.answered
            ? r.oneWayAudio
              ? 'One-way audio: the echo never came back.'
              : 'Audio flows both ways.'
            : `The call failed: ${r.sipStatus ?? ''} ${r.sipReason ?? r.endReason}`}
        </strong>{' '}
        SIP {r.sipStatus ?? '—'} · ended: {r.endReason}
        {r.media?.sourceMismatch
          ? ' · RTP came from another address than the SDP said (NAT in the path).'
          : ''}
      </div>
      {last && (
        <p className="muted small" data-testid="echo-counters">
          RTP sent {last.sent} · received {last.received} · loss {last.lossPercent.toFixed(1)} % · duplicates{' '}
          {last.duplicates} · reordered {last.reordered}
          {last.audioLatencyMs !== null ? ` · audio round trip ${last.audioLatencyMs.toFixed(0)} ms` : ''}
          {last.emodel
            ? ` · E-model R ${last.emodel.R.toFixed(1)} (Ie,eff ${last.emodel.IeEff.toFixed(1)}, Id ${last.emodel.Id.toFixed(1)})`
            : ''}
        </p>
      )}
      {last && <RttSources stats={last} />}
      {audio && (audio.micFrames > 0 || audio.echoLevelDb !== null) && (
        <p className="muted small" data-testid="echo-audio">
          {props.microphone ? `Microphone: ${audio.micFrames} frames sent as G.711` : 'Test tone'}
          {audio.echoLevelDb !== null
            ? ` · echo level ${audio.echoLevelDb.toFixed(0)} dBFS${audio.echoLevelDb <= -60 ? ' (silence)' : ''}`
            : ''}
        </p>
      )}
    </>
  );
}
