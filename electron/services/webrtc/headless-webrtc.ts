/**
 * `natscope webrtc`: the WebRTC echo in a real, headless Chromium driven through Playwright. The page
 * is the renderer's own `webrtc.html` (the same run-echo.ts the WebRTC step uses), served from
 * 127.0.0.1 with a CSP that lets it reach exactly the gateway's WebSocket origin. The browser gets a
 * synthetic microphone (Chromium's fake capture device, a beep), streams its events here, and asks
 * the host to probe the WebSocket URL when its own WebSocket fails (browsers hide the HTTP status).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NatScopeError } from '../../../shared/contracts/errors.ts';
import type { WebSocketSummary } from '../../../shared/contracts/websocket.ts';
import {
  WebrtcEchoInputSchema,
  WebrtcResultSchema,
  type WebrtcEchoInput,
  type WebrtcEvent,
  type WebrtcResult,
} from '../../../shared/contracts/webrtc.ts';
import { verifiedSpkiPin } from '../../engine/net/certificate-pin.ts';
import { FAKE_MICROPHONE_ARGS, UNATTENDED_CHROMIUM_ARGS } from './chromium-args.ts';
import type { CallContext } from '../call-context.ts';
import { findChromium, loadPlaywright } from './find-chromium.ts';

export interface HeadlessOptions {
  /** dist/renderer: holds webrtc.html and its assets. */
  rendererDir: string;
  chromium?: string;
  /** A private CA for wss: its verified server key is pinned in Chromium. */
  caPem?: string;
}

export interface HeadlessDeps {
  probe: (input: { url: string; caPem?: string }, ctx: CallContext<never>) => Promise<WebSocketSummary>;
  resolve: (host: string) => Promise<string[]>;
}

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export async function runWebrtcHeadless(
  raw: WebrtcEchoInput,
  ctx: CallContext<WebrtcEvent>,
  o: HeadlessOptions,
  deps: HeadlessDeps,
): Promise<WebrtcResult> {
  const input = WebrtcEchoInputSchema.parse(raw);
  const chromium = await loadPlaywright();
  const executablePath = findChromium(o.chromium, chromium);
  if (!existsSync(path.join(o.rendererDir, 'webrtc.html')))
    throw new NatScopeError(
      'not-supported',
      `the WebRTC page is not built (${o.rendererDir}/webrtc.html): run npm run build`,
    );
  const wsOrigin = new URL(input.wsUrl).origin.replace(/^http/, 'ws');
  const pin = o.caPem && input.wsUrl.startsWith('wss:') ? await pinFor(input.wsUrl, o.caPem, deps) : null;
  const server = await servePage(o.rendererDir, wsOrigin);
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ...UNATTENDED_CHROMIUM_ARGS,
      ...FAKE_MICROPHONE_ARGS,
      '--autoplay-policy=no-user-gesture-required',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
      ...(pin ? [`--ignore-certificate-errors-spki-list=${pin}`] : []),
    ],
  });
  const bound = (input.durationSec + input.connectTimeoutSec + 60) * 1000;
  try {
    const page = await browser.newPage();
    await page.exposeFunction('natscopeWebrtcEvent', (e: WebrtcEvent) => ctx.emit(e));
    await page.exposeFunction('natscopeWebrtcProbe', (url: string) =>
      deps.probe({ url, caPem: o.caPem }, { signal: ctx.signal, emit: () => {} }).catch(() => null),
    );
    await page.goto(`${server.url}/webrtc.html`);
    await page.waitForFunction(() => 'natscopeWebrtc' in globalThis, undefined, { timeout: 20_000 });
    const onAbort = () =>
      void page
        .evaluate(() => (globalThis as unknown as PageWindow).natscopeWebrtcCancel?.())
        .catch(() => undefined);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      page.evaluate((i) => (globalThis as unknown as PageWindow).natscopeWebrtc(i), input),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new NatScopeError('timeout', `the WebRTC echo did not finish within ${bound / 1000} s`)),
          bound,
        );
      }),
    ]).finally(() => {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
    });
    return WebrtcResultSchema.parse(result);
  } finally {
    await browser.close().catch(() => undefined);
    server.close();
  }
}

async function pinFor(wsUrl: string, caPem: string, deps: HeadlessDeps): Promise<string> {
  const url = new URL(wsUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const address = (await deps.resolve(host).catch(() => [] as string[]))[0];
  if (!address) throw new NatScopeError('unreachable', `cannot resolve ${host}`);
  try {
    return await verifiedSpkiPin({ host, address, port: Number(url.port || 443), caPem, timeoutMs: 5000 });
  } catch (err) {
    throw new NatScopeError('tls-certificate', `--ca: ${(err as Error).message}`);
  }
}

/** Serves webrtc.html and its assets on 127.0.0.1 only; nothing else is reachable through it. */
async function servePage(root: string, wsOrigin: string): Promise<{ url: string; close(): void }> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ${wsOrigin}`,
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0]!;
    if (!/^\/(webrtc\.html|assets\/[\w.-]+)$/.test(p)) return void res.writeHead(404).end();
    readFile(path.join(root, p)).then(
      (body) =>
        res
          .writeHead(200, {
            'content-type': MIME[path.extname(p)] ?? 'application/octet-stream',
            'content-security-policy': csp,
            'cache-control': 'no-store',
          })
          .end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

/** What the page (renderer/src/features/webrtc/headless-entry.ts) puts on window. */
interface PageWindow {
  natscopeWebrtc: (input: WebrtcEchoInput) => Promise<WebrtcResult>;
  natscopeWebrtcCancel?: () => void;
}
