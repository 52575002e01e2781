#!/usr/bin/env node
// The `tasktree` binary (package.json "bin"). Everything else lives in cli.ts.
import { main } from './cli.js';

process.exitCode = await main(process.argv.slice(2));
