/**
 * Error and result codes of the three port-mapping protocols, with names and what they mean for
 * the user. Pure data so the CLI and the renderer show the same words.
 * UPnP: UPnP-arch-DeviceArchitecture 3.2.2 (401–404, 501, 600–606) and the WANIPConnection:1/2
 * service templates (7xx). NAT-PMP: RFC 6886 §3.5. PCP: RFC 6887 §7.4.
 */
export type MappingVia = 'upnp' | 'natpmp' | 'pcp';

export interface CodeInfo {
  name: string;
  meaning: string;
}

export const UPNP_ERRORS: Readonly<Record<number, CodeInfo>> = {
  401: { name: 'InvalidAction', meaning: 'The router does not know this action.' },
  402: { name: 'InvalidArgs', meaning: 'The router rejected the arguments of the request.' },
  404: { name: 'InvalidVar', meaning: 'The router does not know this state variable.' },
  501: {
    name: 'ActionFailed',
    meaning:
      'The router could not do it. miniupnpd answers this to every mapping when it sits behind another NAT (double NAT / CGNAT).',
  },
  600: { name: 'ArgumentValueInvalid', meaning: 'An argument value is invalid.' },
  601: { name: 'ArgumentValueOutOfRange', meaning: 'An argument value is out of range.' },
  602: {
    name: 'OptionalActionNotImplemented',
    meaning: 'The router does not implement this optional action.',
  },
  603: { name: 'OutOfMemory', meaning: 'The router ran out of memory.' },
  604: { name: 'HumanInterventionRequired', meaning: 'The router wants someone to act on it first.' },
  605: { name: 'StringArgumentTooLong', meaning: 'A string argument is too long.' },
  606: {
    name: 'ActionNotAuthorized',
    meaning: 'The router does not allow this action (often: UPnP port changes disabled).',
  },
  701: { name: 'ValueAlreadySpecified', meaning: 'The value is already set.' },
  702: { name: 'ValueSpecifiedIsInvalid', meaning: 'The value is invalid.' },
  703: { name: 'InactiveConnectionStateRequired', meaning: 'The connection must be inactive for this.' },
  704: { name: 'ConnectionSetupFailed', meaning: 'The WAN connection could not be set up.' },
  705: { name: 'ConnectionSetupInProgress', meaning: 'The WAN connection is being set up.' },
  706: { name: 'ConnectionNotConfigured', meaning: 'The WAN connection is not configured.' },
  707: { name: 'DisconnectInProgress', meaning: 'The WAN connection is being torn down.' },
  708: { name: 'InvalidLayer2Address', meaning: 'Invalid layer-2 address.' },
  709: { name: 'InternetAccessDisabled', meaning: 'Internet access is disabled on the router.' },
  710: { name: 'InvalidConnectionType', meaning: 'The connection type does not allow this.' },
  711: { name: 'ConnectionAlreadyTerminated', meaning: 'The WAN connection is already down.' },
  713: { name: 'SpecifiedArrayIndexInvalid', meaning: 'No mapping at this index (end of the table).' },
  714: { name: 'NoSuchEntryInArray', meaning: 'There is no such mapping.' },
  715: { name: 'WildCardNotPermittedInSrcIP', meaning: 'The router needs a specific remote host.' },
  716: { name: 'WildCardNotPermittedInExtPort', meaning: 'The router needs a specific external port.' },
  718: {
    name: 'ConflictInMappingEntry',
    meaning:
      'The external port is already mapped to another computer, or the router is in secure mode and only lets a computer map ports to itself.',
  },
  724: {
    name: 'SamePortValuesRequired',
    meaning: 'The router needs the external and internal port to be equal.',
  },
  725: {
    name: 'OnlyPermanentLeasesSupported',
    meaning: 'The router refuses mappings with a lease; only a permanent mapping (lease 0) is possible.',
  },
  726: { name: 'RemoteHostOnlySupportsWildcard', meaning: 'The remote host must be empty (wildcard).' },
  727: { name: 'ExternalPortOnlySupportsWildcard', meaning: 'The external port must be 0 (wildcard).' },
  728: { name: 'NoPortMapsAvailable', meaning: 'The router has no room for more mappings.' },
  729: {
    name: 'ConflictWithOtherMechanisms',
    meaning: 'The mapping conflicts with another mechanism (e.g. a static forward).',
  },
  730: { name: 'PortMappingNotFound', meaning: 'No mapping matches.' },
  731: { name: 'ReadOnly', meaning: 'The mapping is read-only.' },
  732: { name: 'WildCardNotPermittedInIntPort', meaning: 'The router needs a specific internal port.' },
  733: { name: 'InconsistentParameters', meaning: 'The parameters are inconsistent.' },
};

export const NATPMP_RESULTS: Readonly<Record<number, CodeInfo>> = {
  0: { name: 'Success', meaning: 'Done.' },
  1: { name: 'UnsupportedVersion', meaning: 'The gateway does not speak this protocol version.' },
  2: {
    name: 'NotAuthorized',
    meaning: 'The gateway supports NAT-PMP but refuses this (e.g. disabled by its owner).',
  },
  3: {
    name: 'NetworkFailure',
    meaning:
      'The gateway has no usable external address (WAN down, or it sits behind another NAT: double NAT / CGNAT).',
  },
  4: { name: 'OutOfResources', meaning: 'The gateway cannot create more mappings.' },
  5: { name: 'UnsupportedOpcode', meaning: 'The gateway does not know this request.' },
};

export const PCP_RESULTS: Readonly<Record<number, CodeInfo>> = {
  0: { name: 'SUCCESS', meaning: 'Done.' },
  1: { name: 'UNSUPP_VERSION', meaning: 'The server does not speak this PCP version.' },
  2: { name: 'NOT_AUTHORIZED', meaning: 'The server refuses this request (policy).' },
  3: { name: 'MALFORMED_REQUEST', meaning: 'The server could not parse the request.' },
  4: { name: 'UNSUPP_OPCODE', meaning: 'The server does not know this opcode.' },
  5: { name: 'UNSUPP_OPTION', meaning: 'The server does not support a mandatory option.' },
  6: { name: 'MALFORMED_OPTION', meaning: 'An option was malformed.' },
  7: { name: 'NETWORK_FAILURE', meaning: 'The server has a network failure (e.g. no external address yet).' },
  8: {
    name: 'NO_RESOURCES',
    meaning:
      'The server refuses to create the mapping. miniupnpd answers this when it sits behind another NAT (double NAT / CGNAT).',
  },
  9: { name: 'UNSUPP_PROTOCOL', meaning: 'The server does not support this transport protocol.' },
  10: { name: 'USER_EX_QUOTA', meaning: 'This computer has too many mappings.' },
  11: { name: 'CANNOT_PROVIDE_EXTERNAL', meaning: 'The suggested external port/address cannot be given.' },
  12: {
    name: 'ADDRESS_MISMATCH',
    meaning: 'The client address in the request differs from the source address (another NAT in between?).',
  },
  13: { name: 'EXCESSIVE_REMOTE_PEERS', meaning: 'Too many remote peers.' },
};

const TABLES: Record<MappingVia, Readonly<Record<number, CodeInfo>>> = {
  upnp: UPNP_ERRORS,
  natpmp: NATPMP_RESULTS,
  pcp: PCP_RESULTS,
};

/** Name and meaning of a protocol error code; unknown codes are named "Unknown" with the number kept. */
export function describeCode(via: MappingVia, code: number): CodeInfo {
  return (
    TABLES[via][code] ?? {
      name: 'Unknown',
      meaning: `The router answered with an unknown ${via} code ${code}.`,
    }
  );
}

/** Codes that mean "the router refuses every mapping" — the typical double-NAT / CGNAT signal. */
export function isDoubleNatRefusal(via: MappingVia, code: number): boolean {
  return (
    (via === 'upnp' && code === 501) || (via === 'natpmp' && code === 3) || (via === 'pcp' && code === 8)
  );
}
