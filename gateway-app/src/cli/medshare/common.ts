import type { Command } from 'commander';

/** Adds the options every command takes: `--key-file FILE` and `--json`. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--key-file <file>', 'your key file (default $MEDSHARE_KEY_FILE, else ./medshare-key.json)')
    .option('--json', 'print one JSON object on stdout instead of lines', false);
}

/** Adds `--agent URL`, the device agent of commands that need a device check. */
export function withAgentOption(command: Command, parse: (value: string) => string): Command {
  return command.option(
    '--agent <url>',
    'the device agent on this machine (default $MEDSHARE_DEVICE_AGENT, else http://127.0.0.1:7391)',
    parse,
  );
}

/**
 * Applies the CLI's conventions to a command and all below it: commander
 * throws instead of exiting and prints no error of its own, so that every
 * failure comes out as one line from `runCli`.
 */
export function configureTree(command: Command): void {
  command
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .showHelpAfterError(false)
    .showSuggestionAfterError(true);
  for (const sub of command.commands) configureTree(sub);
}
