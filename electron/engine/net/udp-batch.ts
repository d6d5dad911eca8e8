/**
 * Batched UDP sockets (issue #19): the typed face of the native addon native/udp_batch.c
 * (recvmmsg/sendmmsg on Node's own event loop), for servers that answer many small datagrams —
 * `natscope server`'s STUN sockets. Built by build/build-native.ts on Linux when a C compiler,
 * node-api-headers and libuv's header are there; everywhere else `loadUdpBatch()` returns null and
 * callers keep using node:dgram (same answers, more CPU per datagram).
 *
 * A DatagramBlock is the memory both sides share: `slots` datagrams of at most `slotBytes` bytes
 * and one fixed-size record per datagram (length, family, port, socket, scope, flags, address).
 * Received blocks are valid only during the onBatch call; an outbox is filled by the caller and
 * sent with `send(count)`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Endpoint } from '../../../shared/model/endpoint.ts';
import type { BindUdpOptions } from './network.ts';

interface Addon {
  open(
    family: number,
    address: string,
    port: number,
    reusePort: boolean,
    rcvbuf: number,
  ): [object, number, number];
  start(
    h: object,
    bytes: ArrayBuffer,
    records: ArrayBuffer,
    slots: number,
    slotBytes: number,
    onBatch: (count: number) => void,
  ): void;
  send(bytes: ArrayBuffer, records: ArrayBuffer, slotBytes: number, count: number, sockets: object[]): number;
  close(h: object): void;
  RECORD_BYTES: number;
  MAX_SLOTS: number;
}

const RECORD_WORDS = 12; // RECORD_BYTES / 4
const ADDRESS_AT = 32; // byte offset of the address in a record

/** Datagrams and their records in two ArrayBuffers the addon reads and writes in place. */
export class DatagramBlock {
  readonly bytes: Uint8Array;
  /** Per record: [length, family, port, socket, scope, flags, …]; address bytes at ADDRESS_AT. */
  readonly words: Int32Array;
  readonly recordBytes: Uint8Array;
  readonly slots: number;
  readonly slotBytes: number;

  constructor(slots: number, slotBytes: number) {
    this.slots = slots;
    this.slotBytes = slotBytes;
    this.bytes = new Uint8Array(new ArrayBuffer(slots * slotBytes));
    this.words = new Int32Array(new ArrayBuffer(slots * RECORD_WORDS * 4));
    this.recordBytes = new Uint8Array(this.words.buffer);
  }

  length(i: number): number {
    return this.words[i * RECORD_WORDS]!;
  }
  family(i: number): number {
    return this.words[i * RECORD_WORDS + 1]!;
  }
  port(i: number): number {
    return this.words[i * RECORD_WORDS + 2]!;
  }
  socket(i: number): number {
    return this.words[i * RECORD_WORDS + 3]!;
  }
  scope(i: number): number {
    return this.words[i * RECORD_WORDS + 4]!;
  }
  truncated(i: number): boolean {
    return (this.words[i * RECORD_WORDS + 5]! & 1) !== 0;
  }
  /** Byte offset of datagram i in `bytes`. */
  offset(i: number): number {
    return i * this.slotBytes;
  }
  /** Byte offset of record i's address in `recordBytes` (4 or 16 bytes, network order). */
  addressOffset(i: number): number {
    return i * RECORD_WORDS * 4 + ADDRESS_AT;
  }

  /** Record i of an outbox: `length` bytes at offset(i) go from `socket` to the address given. */
  setRecord(i: number, length: number, socket: number, family: number, port: number, scope: number): void {
    const w = i * RECORD_WORDS;
    this.words[w] = length;
    this.words[w + 1] = family;
    this.words[w + 2] = port;
    this.words[w + 3] = socket;
    this.words[w + 4] = scope;
    this.words[w + 5] = 0;
  }

  /** Copies `length` address bytes from another block's record (the answer goes back to the sender). */
  copyAddress(i: number, from: DatagramBlock, j: number, length: number): void {
    const src = from.addressOffset(j);
    const dst = this.addressOffset(i);
    for (let k = 0; k < length; k++) this.recordBytes[dst + k] = from.recordBytes[src + k]!; // no view per datagram
  }

  /** Record i's address as text ("192.0.2.1", "2001:db8::1", with "%scope" when it has one). */
  addressText(i: number): string {
    const a = this.addressOffset(i);
    const r = this.recordBytes;
    if (this.family(i) === 4) return `${r[a]}.${r[a + 1]}.${r[a + 2]}.${r[a + 3]}`;
    const groups: string[] = [];
    for (let k = 0; k < 16; k += 2) groups.push(((r[a + k]! << 8) | r[a + k + 1]!).toString(16));
    // full form: every consumer (normalizeIp, the general STUN path) canonicalises it
    const scope = this.scope(i);
    return groups.join(':') + (scope ? `%${scope}` : '');
  }
}

export interface UdpBatchSocket {
  readonly local: Endpoint;
  /** Index of this socket in its group: what an outbox record's `socket` names. */
  readonly index: number;
  readonly receiveBufferBytes: number;
}

/**
 * Sockets that answer together: each delivers blocks of received datagrams to its listener, and
 * one outbox sends answers from any of them (an RFC 5780 CHANGE-REQUEST answer leaves from another
 * address or port than its request came to).
 */
export interface UdpBatchGroup {
  readonly outbox: DatagramBlock;
  bind(
    options: BindUdpOptions,
    onBatch: (inbox: DatagramBlock, count: number, socket: UdpBatchSocket) => void,
  ): UdpBatchSocket;
  /** Sends outbox records 0…count−1; returns how many the kernel took. */
  send(count: number): number;
  close(): void;
}

export interface UdpBatchOptions {
  /** Datagrams per block (default 64). */
  slots?: number;
  /** Largest datagram received whole; longer ones arrive flagged truncated. */
  receiveSlotBytes: number;
  /** Largest datagram sent. */
  sendSlotBytes: number;
}

let cached: Addon | null | undefined;
let whyNot = '';

/** The addon, or null (then `udpBatchUnavailableReason()` says why). */
export function loadUdpBatch(): Addon | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (process.platform !== 'linux') {
    whyNot = 'batched UDP is Linux only';
    return null;
  }
  const here = typeof import.meta.url === 'string' ? dirname(fileURLToPath(import.meta.url)) : process.cwd();
  const candidates = [
    process.env.NATSCOPE_UDP_BATCH_ADDON,
    join(here, '..', 'native', 'udp-batch.node'), // dist/cli/<chunk>.mjs → dist/native
    join(here, '..', '..', '..', 'dist', 'native', 'udp-batch.node'), // electron/engine/net (tests)
  ].filter((p): p is string => !!p);
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    whyNot = 'the native addon was not built (npm run build:node needs cc, node-api-headers and libuv1-dev)';
    return null;
  }
  try {
    cached = createRequire(import.meta.url)(path) as Addon;
  } catch (err) {
    whyNot = `the native addon did not load: ${(err as Error).message}`;
  }
  return cached;
}

export function udpBatchUnavailableReason(): string {
  return whyNot;
}

/** A group of batched sockets, or null where the addon is not available. */
export function createUdpBatchGroup(o: UdpBatchOptions): UdpBatchGroup | null {
  const addon = loadUdpBatch();
  if (!addon) return null;
  const slots = Math.min(o.slots ?? 64, addon.MAX_SLOTS);
  const outbox = new DatagramBlock(slots, o.sendSlotBytes);
  const handles: object[] = [];
  let closed = false;
  return {
    outbox,
    bind(options, onBatch) {
      if (closed) throw new Error('socket group closed');
      const family = options.family ?? (options.address?.includes(':') ? 6 : 4);
      const address = options.address ?? (family === 6 ? '::' : '0.0.0.0');
      let opened: [object, number, number];
      try {
        opened = addon.open(
          family,
          address,
          options.port ?? 0,
          options.reusePort === true,
          options.receiveBufferBytes ?? 0,
        );
      } catch (err) {
        // the shape of node:dgram's bind errors, which callers already explain
        const e = err as Error & { code?: string; address?: string; port?: number };
        const wrapped = Object.assign(new Error(`bind ${e.code ?? 'EIO'} ${address}:${options.port ?? 0}`), {
          code: e.code,
          address,
          port: options.port ?? 0,
        });
        throw wrapped;
      }
      const [handle, port, granted] = opened;
      const socket: UdpBatchSocket = {
        local: { address, port },
        index: handles.length,
        receiveBufferBytes: granted,
      };
      handles.push(handle);
      const inbox = new DatagramBlock(slots, o.receiveSlotBytes);
      addon.start(
        handle,
        inbox.bytes.buffer as ArrayBuffer,
        inbox.words.buffer as ArrayBuffer,
        slots,
        o.receiveSlotBytes,
        (n) => onBatch(inbox, n, socket),
      );
      return socket;
    },
    send(count) {
      if (closed || count <= 0) return 0;
      return addon.send(
        outbox.bytes.buffer as ArrayBuffer,
        outbox.words.buffer as ArrayBuffer,
        outbox.slotBytes,
        count,
        handles,
      );
    },
    close() {
      if (closed) return;
      closed = true;
      for (const h of handles) addon.close(h);
    },
  };
}
