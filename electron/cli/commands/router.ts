import type { CliCommand } from '../command.ts';
import { heading, keyValues, table } from '../format.ts';
import { DEFAULT_LIST_BUDGET_SEC, RouterProbeInputSchema } from '../../../shared/contracts/router.ts';
import { defined, numberOption, parseInput, stringOption } from '../options.ts';
import { findingsText, mappingsTable, partialNote, removeLeftovers } from './router-format.ts';

export const routerCommand: CliCommand = {
  usage:
    'router [--gateway IP] [--igd-url URL] [--stun-mapped IP] [--no-mappings] [--list-budget S] [--json]',
  help: [
    'Options:',
    '  --gateway IP      gateway for NAT-PMP/PCP (default: the IPv4 default gateway)',
    '  --igd-url URL     skip SSDP and use this IGD description URL',
    '  --stun-mapped IP  the public address a STUN server saw (detects a NAT beyond the router)',
    '  --no-mappings     do not list the UPnP mapping table',
    `  --list-budget S   seconds for reading the table in all (default ${DEFAULT_LIST_BUDGET_SEC}); a slower table is shown partial`,
    '',
    'Read-only: nothing is mapped. Leftover mappings of a crashed NatScope run are removed first and',
    'listed on stderr (and in JSON as leftovers {removed[], failed[], expired}).',
    'JSON: {gateway, localAddress, upnp {found, externalIp, igdVersion, manufacturer, model, services,',
    'mappings[], mappingsPartial, mappingsPartialReason, ssdp[], …}, natpmp {supported, externalIp, epoch, …}, pcp {supported, externalIp, …},',
    'findings[], ownMappings[], warnings[], leftovers}.',
  ].join('\n'),
  options: {
    gateway: { type: 'string' },
    'igd-url': { type: 'string' },
    'stun-mapped': { type: 'string' },
    'no-mappings': { type: 'boolean', default: false },
    'list-budget': { type: 'string' },
  },
  async run(ctx) {
    const { services, io, json, values, signal } = ctx;
    const input = parseInput(
      RouterProbeInputSchema,
      defined({
        gateway: stringOption(values, 'gateway'),
        igdLocation: stringOption(values, 'igd-url'),
        stunMappedAddress: stringOption(values, 'stun-mapped'),
        listMappings: values['no-mappings'] !== true,
        listBudgetSec: numberOption(values, 'list-budget', 1, 600),
      }),
      { gateway: '--gateway', igdLocation: '--igd-url', stunMappedAddress: '--stun-mapped' },
    );
    try {
      const leftovers = await removeLeftovers(ctx, input);
      const report = await services.router.probe(input, {
        signal,
        emit: (e) => {
          if (!json && e.status !== 'done')
            io.err(`${e.step}: ${e.status}${e.message ? ` — ${e.message}` : ''}`);
        },
      });
      if (json) {
        io.out(JSON.stringify({ ...report, leftovers }, null, 2));
        return 0;
      }
      const u = report.upnp;
      io.out(heading('UPnP IGD'));
      if (!u.found) io.out('No Internet Gateway Device answered (UPnP off, or no IGD on this LAN).');
      else {
        io.out(
          keyValues([
            ['Device', u.friendlyName],
            ['Manufacturer', u.manufacturer],
            ['Model', [u.model, u.modelNumber].filter(Boolean).join(' ') || null],
            ['SERVER', u.server],
            ['IGD version', u.igdVersion],
            ['Location', u.location],
            ['External IP', u.externalIp ? `${u.externalIp} (${u.externalIpClass})` : null],
            ['Connection', [u.connectionStatus, u.connectionType].filter(Boolean).join(', ') || null],
            ['Uptime', u.uptimeSeconds === null ? null : `${u.uptimeSeconds} s`],
          ]),
        );
        io.out('');
        io.out(
          table(
            ['Service', 'Status', 'Chosen'],
            u.services.map((s) => [s.serviceType, s.connectionStatus ?? s.error, s.chosen ? 'yes' : '']),
          ),
        );
        io.out(heading(`Port mappings (${u.mappings.length}${u.mappingsPartial ? ', partial' : ''})`));
        io.out(mappingsTable(u.mappings));
        if (u.mappingsPartialReason) io.out(partialNote(u.mappingsPartialReason));
        else if (u.mappingsError) io.err(`warning: listing stopped: ${u.mappingsError}`);
      }
      for (const e of u.errors) io.err(`upnp: ${e}`);
      io.out(heading('NAT-PMP'));
      io.out(
        keyValues([
          ['Supported', report.natpmp.supported],
          ['Gateway', report.natpmp.gateway],
          [
            'External IP',
            report.natpmp.externalIp
              ? `${report.natpmp.externalIp} (${report.natpmp.externalIpClass})`
              : null,
          ],
          ['Epoch', report.natpmp.epoch === null ? null : `${report.natpmp.epoch} s`],
          [
            'Result',
            report.natpmp.resultCode
              ? `${report.natpmp.resultCode.code} ${report.natpmp.resultCode.name}`
              : null,
          ],
          ['Error', report.natpmp.error],
        ]),
      );
      io.out(heading('PCP'));
      io.out(
        keyValues([
          ['Supported', report.pcp.supported],
          [
            'External IP',
            report.pcp.externalIp ?? 'learnt from a MAP answer only (natscope map add --via pcp)',
          ],
          ['Epoch', report.pcp.epoch === null ? null : `${report.pcp.epoch} s`],
          ['NAT-PMP only', report.pcp.natPmpOnly],
          ['Error', report.pcp.error],
        ]),
      );
      if (report.ownMappings.length > 0) {
        io.out(heading('Mappings made by NatScope'));
        io.out(mappingsTable(report.ownMappings));
      }
      io.out(heading('Findings'));
      io.out(
        report.findings.length
          ? findingsText(report.findings)
          : 'No sign of double NAT or CGNAT from the router’s answers.',
      );
      for (const w of report.warnings) io.err(`warning: ${w}`);
      return 0;
    } finally {
      await services.router.releaseSession();
    }
  },
};
