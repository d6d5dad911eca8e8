import { describe, expect, it } from 'vitest';
import { SERVER_V8_FLAGS, serverReexec } from './server-flags.ts';

const NODE = '/usr/bin/node';
const CLI = '/opt/natscope/dist/cli/natscope.mjs';

describe('serverReexec (the launcher restarts `natscope server` in place with its V8 flags)', () => {
  it('adds the flags for the server command, keeping node options and every argument', () => {
    const argv = [NODE, CLI, 'server', '--address', '192.0.2.1', '--json'];
    expect(serverReexec(argv, ['--trace-gc'], {}, 'linux')).toEqual([
      NODE,
      '--trace-gc',
      ...SERVER_V8_FLAGS,
      CLI,
      'server',
      '--address',
      '192.0.2.1',
      '--json',
    ]);
  });

  it('leaves every other command, and a bare `natscope`, as it is', () => {
    for (const cmd of ['nat', 'serve', 'demo', '--help', 'servers'])
      expect(serverReexec([NODE, CLI, cmd], [], {}, 'linux'), cmd).toBeNull();
    expect(serverReexec([NODE, CLI], [], {}, 'linux')).toBeNull();
  });

  it('does not restart twice, nor when switched off or where execve does not exist', () => {
    const argv = [NODE, CLI, 'server', '--address', '192.0.2.1'];
    expect(serverReexec(argv, [...SERVER_V8_FLAGS], {}, 'linux')).toBeNull();
    expect(serverReexec(argv, [], { NATSCOPE_SERVER_V8_FLAGS: '0' }, 'linux')).toBeNull();
    expect(serverReexec(argv, [], {}, 'win32')).toBeNull();
  });
});
