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

export const networkMethods = {
  'network.snapshot': {
    input: z.object({}).strict(),
    output: NetworkSnapshotSchema,
    event: z.never(),
  },
};
