import { Command } from 'commander';
import { accountCommands } from './account';
import { auditCommand } from './audit';
import { configureTree } from './common';
import { dicomCommand } from './dicom';
import { describeFailure, failureLine } from './errors';
import { operatorCommands } from './operator';
import type { Sink } from './output';
import { recordCommands } from './records';
import { erasureCommands } from './erasure';
import { trustCommand } from './trust';
import type { Runtime } from './workstation';

/** The command's name, as errors print it. */
export const NAME = 'medshare';

/** The `medshare` program. */
export function buildProgram(runtime: Runtime): Command {
  const program = new Command(NAME).description(
    'MedShare workstation client: send, open and share records, audit, and operate, with your own keys',
  );
  for (const command of [
    ...accountCommands(runtime),
    ...recordCommands(runtime),
    ...erasureCommands(runtime),
    ...operatorCommands(runtime),
    auditCommand(runtime),
    trustCommand(runtime),
    dicomCommand(runtime),
  ]) {
    program.addCommand(command);
  }
  configureTree(program);
  return program;
}

/**
 * Runs one invocation (`args` without the node and script paths) and returns
 * its exit status: 0, 1 for a refusal or failure, 2 for a usage error. A
 * failure prints one line on `stderr`, `medshare: CODE: message`, never a
 * stack trace.
 */
export async function runCli(args: readonly string[], runtime: Runtime, stderr: Sink): Promise<number> {
  try {
    await buildProgram(runtime).parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.exitCode !== 0) stderr.write(failureLine(NAME, failure));
    return failure.exitCode;
  }
}
