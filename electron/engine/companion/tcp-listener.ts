/**
 * TCP listening for the companion server. The shared `Network` only connects out, so the server
 * side lives here (node:net), behind a small interface the tests can replace. Connections are
 * handed over as the same `TcpConnection` shape the rest of the engine uses.
 *
 * Write backpressure: a peer that sends requests but never reads our answers must not make us
 * queue without limit. Once answers wait unsent (above the socket's high-water mark), we stop
 * reading from that peer until they drain; a peer whose unsent answers exceed `maxQueuedBytes`
 * is dropped and its buffers freed at once.
 */
import net from 'node:net';
import type { TcpConnection } from '../net/network.ts';
import { wrapTcpSocket } from '../net/node-network.ts';

export interface TcpListener {
  readonly local: { address: string; port: number };
  close(): Promise<void>;
}

export interface ListenTcpOptions {
  address: string;
  port: number;
  /** Hard cap on simultaneous connections (node drops the rest). */
  maxConnections: number;
  /** Unsent bytes allowed per connection before it is dropped. */
  maxQueuedBytes: number;
}

export type ListenTcp = (
  o: ListenTcpOptions,
  onConnection: (c: TcpConnection) => void,
) => Promise<TcpListener>;

/** Reading pauses while more than this is waiting to be sent to the peer. */
const PAUSE_ABOVE_BYTES = 64 * 1024;

export const nodeListenTcp: ListenTcp = async (o, onConnection) => {
  const server = net.createServer({ noDelay: true, highWaterMark: PAUSE_ABOVE_BYTES });
  server.maxConnections = o.maxConnections;
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('drain', () => s.resume());
    const conn = wrapTcpSocket(s);
    onConnection({
      ...conn,
      write(data) {
        if (s.writableLength + data.length > o.maxQueuedBytes) {
          s.destroy(); // never read: drop it, and its queue with it
          return Promise.reject(new Error(`peer does not read: over ${o.maxQueuedBytes} bytes queued`));
        }
        const sent = conn.write(data);
        if (s.writableNeedDrain) s.pause(); // stop taking requests until the answers leave
        return sent;
      },
    });
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
