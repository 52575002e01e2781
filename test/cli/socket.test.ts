// The CLI against a process that opened the monitor socket.
import { describe } from 'node:test';
import { commandsSuite } from './commands-suite.js';

describe('tasktree over the monitor socket', () => {
  commandsSuite({ transport: 'socket', fixtureArgs: ['--monitor'], nodeArgs: async () => [] });
});
