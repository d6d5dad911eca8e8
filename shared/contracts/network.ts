import { z } from 'zod';
import { AddressClassSchema } from './common.ts';

/** Contract for the wizard's first step, "Network": interfaces, gateways, primary outbound address. */
export const InterfaceAddressSchema = z.object({
  address: z.string(),
  family: z.union([z.literal(4), z.literal(6)]),
  prefixLength: z.number().int().min(0).max(128),
  class: AddressClassSchema,
  internal: z.boolean(),
});
export type InterfaceAddress = z.infer<typeof InterfaceAddressSchema>;

export const NetworkInterfaceSchema = z.object({
  name: z.string(),
  mac: z.string().nullable(),
  addresses: z.array(InterfaceAddressSchema),
});
export type NetworkInterface = z.infer<typeof NetworkInterfaceSchema>;

export const GatewaySchema = z.object({
  address: z.string(),
  family: z.union([z.literal(4), z.literal(6)]),
  interface: z.string().nullable(),
});
export type Gateway = z.infer<typeof GatewaySchema>;

export const NetworkSnapshotSchema = z.object({
  platform: z.string(),
  interfaces: z.array(NetworkInterfaceSchema),
  gateways: z.array(GatewaySchema),
  /** The source address the OS picks for traffic to the internet (no packet is sent to find it). */
  primary: z
    .object({ address: z.string(), interface: z.string().nullable(), class: AddressClassSchema })
    .nullable(),
  /** Problems met while gathering (e.g. the routing table could not be read); never silently dropped. */
  warnings: z.array(z.string()),
});
export type NetworkSnapshot = z.infer<typeof NetworkSnapshotSchema>;

export const HopsSchema = z.object({
  target: z.string(),
  /** TTL 1..n: the router that answered "time exceeded" (null when it stayed silent). */
  hops: z.array(z.object({ ttl: z.number().int(), address: z.string().nullable() })),
  /** Why no hop could be read (e.g. no `ping` on this system), else null. */
  error: z.string().nullable(),
});
export type Hops = z.infer<typeof HopsSchema>;

export const networkMethods = {
  'network.hops': {
    input: z.object({ target: z.string().min(1).max(255) }).strict(),
    output: HopsSchema,
    event: z.never(),
  },
  'network.snapshot': {
    input: z.object({}).strict(),
    output: NetworkSnapshotSchema,
    event: z.never(),
  },
};
