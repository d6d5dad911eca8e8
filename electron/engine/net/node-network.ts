import dgram from 'node:dgram';
import net from 'node:net';
import dns from 'node:dns/promises';
import { lookup as dnsLookup } from 'node:dns';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import { createUdpBatchGroup } from './udp-batch.ts';
import type { BindUdpOptions, ConnectTcpOptions, Network, TcpConnection, UdpSocket } from './network.ts';

/** The production `Network`: node:dgram for UDP, node:net for TCP, node:dns for names. */
export const nodeNetwork: Network = {
  bindUdp,
  udpBatch: createUdpBatchGroup,
  connectTcp,
  async resolve(host, family) {
    if (net.isIP(host)) return [host];
    const all = await dns.lookup(host, { all: true, verbatim: true });
    const sorted = [...all].sort((a, b) => (a.family === family ? -1 : 0) - (b.family === family ? -1 : 0));
    return sorted.map((r) => r.address);
  },
};

/**
 * dgram's address lookup for sends and binds. An IP literal (every address a server answers comes
 * from a datagram) is passed on at once, in the same call: Node's default lookup defers even a
 * literal through dns.lookup and process.nextTick, which was a quarter of the companion's CPU per
 * STUN answer (issue #19). Names still go to dns.lookup.
 */
function lookupLiteral(
  address: string,
  family: number,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (family === 6 ? address.includes(':') : isDottedQuad(address)) callback(null, address, family);
  else
    dnsLookup(address, family, (err, a, f) => {
      if (err) callback(err, '', family);
      else callback(null, a, f);
    });
}

function isDottedQuad(s: string): boolean {
  if (s.length < 7 || s.length > 15) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 46 && (c < 48 || c > 57)) return false;
  }
  return true;
}

async function bindUdp(options: BindUdpOptions = {}): Promise<UdpSocket> {
  const family = options.family ?? (options.address && net.isIPv6(options.address) ? 6 : 4);
  const socket = dgram.createSocket({
    type: family === 6 ? 'udp6' : 'udp4',
    reuseAddr: false,
    reusePort: options.reusePort === true,
    lookup: lookupLiteral as unknown as dgram.SocketOptions['lookup'],
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(
      { address: options.address ?? (family === 6 ? '::' : '0.0.0.0'), port: options.port ?? 0 },
      () => {
        socket.off('error', reject);
        resolve();
      },
    );
  });
  if (options.multicast) socket.setBroadcast(true);
  let receiveBufferBytes: number | undefined;
  if (options.receiveBufferBytes) {
    try {
      socket.setRecvBufferSize(options.receiveBufferBytes);
    } catch {
      // refused by the system: keep its default, reported below
    }
    receiveBufferBytes = socket.getRecvBufferSize();
  }
  // Errors such as ICMP port unreachable must not crash the process; send() reports its own, and
  // on a connected socket they arrive here (recvmsg ECONNREFUSED / EHOSTUNREACH).
  const errorListeners = new Set<(err: Error & { code?: string }) => void>();
  socket.on('error', (err) => errorListeners.forEach((l) => l(err)));
  const addr = socket.address();
  const listeners = new Set<(data: Uint8Array, from: Endpoint) => void>();
  let peer: Endpoint | null = null;
  socket.on('message', (msg, rinfo) => {
    const from = { address: rinfo.address, port: rinfo.port };
    for (const l of listeners) l(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), from);
  });
  let closed = false;
  return {
    local: { address: addr.address, port: addr.port },
    receiveBufferBytes,
    sendNow(data, length, port, address) {
      if (closed) return true;
      try {
        // no callback: dgram neither allocates a completion closure nor defers through a promise;
        // a failure arrives on 'error' (listened to above) like a lost datagram. A connected
        // socket sends to its peer only (anything else is dropped, as send() rejects it).
        if (!peer) socket.send(data, 0, length, port, address);
        else if (peer.port === port && peer.address === address) socket.send(data, 0, length);
        else return true;
      } catch {
        return true;
      }
      // sent synchronously unless libuv had to queue it (kernel buffer full): then it holds `data`
      return socket.getSendQueueSize() === 0;
    },
    send: (data, to) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(new Error('socket closed'));
        const done = (err: Error | null) => (err ? reject(err) : resolve());
        if (!peer) return socket.send(data, to.port, to.address, done);
        if (peer.port === to.port && peer.address === to.address) return socket.send(data, done);
        reject(new Error(`socket is connected to ${peer.address}:${peer.port}`));
      }),
    connect: (to) =>
      new Promise((resolve, reject) => {
        if (closed) return reject(new Error('socket closed'));
        if (peer) return reject(new Error('socket is already connected'));
        socket.connect(to.port, to.address, (err?: Error) => {
          if (err) return reject(err);
          peer = to;
          resolve();
        });
      }),
    onError(listener) {
      errorListeners.add(listener);
      return () => errorListeners.delete(listener);
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise((resolve) => {
        if (closed) return resolve();
        closed = true;
        listeners.clear();
        errorListeners.clear();
        socket.close(() => resolve());
      }),
  };
}

async function connectTcp(options: ConnectTcpOptions): Promise<TcpConnection> {
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({
      host: options.remote.address,
      port: options.remote.port,
      localAddress: options.localAddress,
      localPort: options.localPort,
    });
    const timer = setTimeout(
      () =>
        fail(
          new Error(
            `TCP connect to ${options.remote.address}:${options.remote.port} timed out after ${options.timeoutMs} ms`,
          ),
        ),
      options.timeoutMs,
    );
    const onAbort = () => fail(new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    function fail(err: Error) {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      s.destroy();
      reject(err);
    }
    s.once('error', fail);
    s.once('connect', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      s.off('error', fail);
      resolve(s);
    });
  });
  return wrapTcpSocket(socket);
}

/** Wraps a connected node:net socket as a `TcpConnection` (used for outgoing and accepted connections). */
export function wrapTcpSocket(socket: net.Socket): TcpConnection {
  const dataListeners = new Set<(data: Uint8Array) => void>();
  const closeListeners = new Set<(error?: Error) => void>();
  let lastError: Error | undefined;
  socket.on('data', (buf) => {
    for (const l of dataListeners) l(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  });
  socket.on('error', (err) => (lastError = err));
  socket.on('close', () => {
    for (const l of closeListeners) l(lastError);
  });
  return {
    local: { address: unmapV4(socket.localAddress), port: socket.localPort ?? 0 },
    remote: { address: unmapV4(socket.remoteAddress), port: socket.remotePort ?? 0 },
    write: (data) =>
      new Promise((resolve, reject) => {
        if (socket.destroyed) return reject(new Error('connection closed'));
        socket.write(data, (err) => (err ? reject(err) : resolve()));
      }),
    onData(l) {
      dataListeners.add(l);
      return () => dataListeners.delete(l);
    },
    onClose(l) {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
    close: () =>
      new Promise((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => socket.destroy(), 1000).unref();
      }),
  };
}

/** "::ffff:192.0.2.1" (an IPv4 peer on a dual-stack socket) → "192.0.2.1". */
function unmapV4(a: string | undefined): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a ?? '');
  return m ? m[1]! : (a ?? '');
}
