import { describe, expect, it } from 'vitest';
import { builtinImportsToGetters } from '../../build/builtins-on-demand.ts';

describe('builtinImportsToGetters (CLI bundle start-up)', () => {
  it('turns ES imports of node: built-ins into getBuiltinModule reads', () => {
    const src = [
      "import os from 'node:os';",
      "import { readFile, stat as statFile } from 'node:fs/promises';",
      "import net, { type Socket } from 'node:net';",
      "import * as dgram from 'node:dgram';",
      "import type { ParseArgsConfig } from 'node:util';",
      "import { z } from 'zod';",
      'const x = 1;',
    ].join('\n');
    expect(builtinImportsToGetters(src).split('\n')).toEqual([
      "const os = process.getBuiltinModule('node:os');",
      "const { readFile, stat: statFile } = process.getBuiltinModule('node:fs/promises');",
      "const net = process.getBuiltinModule('node:net');",
      "const dgram = process.getBuiltinModule('node:dgram');",
      "import type { ParseArgsConfig } from 'node:util';",
      "import { z } from 'zod';",
      'const x = 1;',
    ]);
  });

  it('keeps the line count of a multi-line import (source maps stay right)', () => {
    const src = "import {\n  mkdir,\n  open,\n  type Stats,\n} from 'node:fs/promises';\nlater();";
    const out = builtinImportsToGetters(src);
    expect(out.split('\n')).toHaveLength(src.split('\n').length);
    expect(out).toMatch(
      /^const \{ mkdir, open \} = process\.getBuiltinModule\('node:fs\/promises'\);\n+later\(\);$/,
    );
  });

  it('gives the same functions as the ES import', async () => {
    const fs = await import('node:fs/promises');
    const { readFile } = process.getBuiltinModule('node:fs/promises');
    expect(readFile).toBe(fs.readFile);
  });
});
