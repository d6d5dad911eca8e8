/**
 * TCP listening for the companion server. The shared `Network` only connects out, so the server
 * side lives here (node:net), behind a small interface the tests can replace. Connections are
 * handed over as the same `TcpConnection` shape the rest of the engine uses.
 */
import net from 'node:net';
import type { TcpConnection } from '../net/network.ts';

export interface TcpListener {
  readonly local: { address: string; port: number };
  close(): Promise<void>;
}

export interface ListenTcpOptions {
  address: string;
  port: number;
  /** Hard cap on simultaneous connections (node drops the rest). */
  maxConnections: number;
}

export type ListenTcp = (
  o: ListenTcpOptions,
  onConnection: (c: TcpConnection) => void,
) => Promise<TcpListener>;

export const nodeListenTcp: ListenTcp = async (o, onConnection) => {
  const server = net.createServer({ noDelay: true });
  server.maxConnections = o.maxConnections;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    onConnection(wrap(s));
  });
  server.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: o.address, port: o.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as net.AddressInfo;
  return {
    local: { address: addr.address, port: addr.port },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
};

function wrap(socket: net.Socket): TcpConnection {
  const dataListeners = new Set<(d: Uint8Array) => void>();
  const closeListeners = new Set<(e?: Error) => void>();
  let lastError: Error | undefined;
  socket.on('data', (buf) => {
    for (const l of dataListeners) l(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  });
  socket.on('error', (e) => (lastError = e));
  socket.on('close', () => {
    for (const l of closeListeners) l(lastError);
  });
  return {
    local: { address: normalize(socket.localAddress), port: socket.localPort ?? 0 },
    remote: { address: normalize(socket.remoteAddress), port: socket.remotePort ?? 0 },
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

function normalize(a: string | undefined): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a ?? '');
  return m ? m[1]! : (a ?? '');
}
