import { ADDRESS_CLASS_LABEL } from '../../../shared/model/address-class.ts';
import type { CliCommand } from '../command.ts';
import { heading, keyValues, table } from '../format.ts';

export const networkCommand: CliCommand = {
  usage: 'network [--json]',
  options: {},
  async run({ services, io, json }) {
    const snap = await services.network.snapshot();
    if (json) {
      io.out(JSON.stringify(snap, null, 2));
      return 0;
    }
    io.out(heading('Interfaces'));
    io.out(
      table(
        ['Interface', 'Address', 'Prefix', 'Class'],
        snap.interfaces.flatMap((i) =>
          i.addresses.map((a) => [i.name, a.address, `/${a.prefixLength}`, ADDRESS_CLASS_LABEL[a.class]]),
        ),
      ),
    );
    io.out(heading('Default gateways'));
    io.out(
      snap.gateways.length
        ? table(
            ['Gateway', 'Family', 'Interface'],
            snap.gateways.map((g) => [g.address, `IPv${g.family}`, g.interface]),
          )
        : 'none',
    );
    io.out(heading('Primary outbound address'));
    io.out(
      snap.primary
        ? keyValues([
            ['Address', snap.primary.address],
            ['Interface', snap.primary.interface],
            ['Class', ADDRESS_CLASS_LABEL[snap.primary.class]],
          ])
        : 'none (no default route)',
    );
    for (const w of snap.warnings) io.err(`warning: ${w}`);
    return 0;
  },
};
