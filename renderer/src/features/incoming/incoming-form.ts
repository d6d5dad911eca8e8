import { DEFAULT_IDLE_SECONDS, type IncomingInput } from '../../../../shared/contracts/incoming.ts';

/** The Incoming calls step's form, kept in the session (it outlives the step's component). */
export const INCOMING_FORM = 'incoming.form';

export interface IncomingForm {
  server: string;
  transport: 'udp' | 'tcp' | 'tls';
  /** "15, 30, 60" */
  idles: string;
  /** '' = the recommended interval; '0' = no keep-alive check. */
  keepAlive: string;
  /** Against my own PBX: register this account and wait for a call. */
  pbx: boolean;
  user: string;
  password: string;
  domain: string;
  wait: string;
}

export const EMPTY_INCOMING_FORM: IncomingForm = {
  server: '',
  transport: 'udp',
  idles: DEFAULT_IDLE_SECONDS.join(', '),
  keepAlive: '',
  pbx: false,
  user: '',
  password: '',
  domain: '',
  wait: '120',
};

/** In the offline demo: the loopback companion, short idle times (nothing times out on loopback). */
export const DEMO_IDLES = '5, 10, 20';

/** The test's input, or the reason the form cannot run yet. */
export function incomingInput(f: IncomingForm, stunServer?: string): IncomingInput | string {
  if (f.server.trim() === '')
    return f.pbx ? 'Give your PBX (host[:port])' : 'Give a natscope server (host[:port])';
  const idles = f.idles
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (idles.some((n) => !Number.isInteger(n) || n < (f.pbx ? 0 : 1) || n > (f.pbx ? 3600 : 120)))
    return f.pbx ? 'Idle time: whole seconds, 0–3600' : 'Idle times: whole seconds, 1–120';
  if (f.pbx && idles.length > 1) return 'Against your own PBX the test takes one idle time';
  const keepAlive = f.keepAlive.trim() === '' ? undefined : Number(f.keepAlive);
  if (keepAlive !== undefined && (!Number.isInteger(keepAlive) || keepAlive < 0 || keepAlive > 600))
    return 'Keep-alive: whole seconds, 0–600 (empty: the recommended interval)';
  const input: IncomingInput = {
    server: f.server.trim(),
    transport: f.transport,
    ...(idles.length ? { idleSeconds: idles } : {}),
    ...(keepAlive ? { keepAliveSeconds: keepAlive } : {}),
    keepAliveCheck: keepAlive !== 0,
    ...(stunServer ? { stunServer } : {}),
  };
  if (f.pbx) {
    if (f.user.trim() === '' || f.password === '') return 'Give the extension and its password';
    input.account = {
      username: f.user.trim(),
      password: f.password,
      ...(f.domain.trim() ? { domain: f.domain.trim() } : {}),
    };
    input.waitSeconds = Number(f.wait) || 120;
  }
  return input;
}
