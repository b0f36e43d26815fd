#!/usr/bin/env node
import { runCli } from './medshare/program';
import { stdoutSink } from './medshare/output';
import { processTerminal } from './medshare/prompt';

void runCli(
  process.argv.slice(2),
  { env: process.env, terminal: processTerminal(), out: stdoutSink },
  { write: (text) => process.stderr.write(text) },
).then((code) => {
  process.exitCode = code;
});
