import { CommanderError } from 'commander';

/** A failure the command itself reports, with a stable code and its exit status. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly code: string;
  readonly exitCode: 1 | 2;

  constructor(code: string, message: string, exitCode: 1 | 2 = 1) {
    super(message);
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** The command line was wrong: a missing or malformed option, file or value. Exit status 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';

  constructor(message: string, code = 'USAGE') {
    super(code, message, 2);
  }
}

/** What to print for a failure, and how to exit. */
export interface Failure {
  code: string;
  message: string;
  exitCode: 0 | 1 | 2;
}

const STABLE_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

/** Flattens a message to one line: no stack, no embedded newlines. */
export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, '; ').trim();
}

function codeOf(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && STABLE_CODE.test(code) ? code : undefined;
}

/**
 * Maps anything a command can throw to one line and an exit status: 2 for
 * usage errors (commander's included), 1 for refusals by the gateway, the
 * ledger or the envelope format and for anything else; 0 for help and version.
 */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return { code: 'OK', message: '', exitCode: 0 };
    const message =
      error.code === 'commander.help' || error.code === 'commander.helpDisplayed'
        ? 'give a command; see --help'
        : error.message.replace(/^error:\s*/i, '');
    return { code: 'USAGE', message: oneLine(message), exitCode: 2 };
  }
  if (error instanceof CliError) {
    return { code: error.code, message: oneLine(error.message), exitCode: error.exitCode };
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = error.cause instanceof Error ? (codeOf(error.cause) ?? error.cause.message) : 'no answer';
    return { code: 'GATEWAY_UNREACHABLE', message: `cannot reach the gateway (${cause})`, exitCode: 1 };
  }
  if (error instanceof Error) {
    const code = codeOf(error);
    if (code === 'NOT_SIGNED_IN') return { code, message: 'run medshare login', exitCode: 1 };
    if (code === 'SESSION_EXPIRED') {
      return { code, message: 'the session has expired or was ended; run medshare login', exitCode: 1 };
    }
    // Node's system errors repeat their code at the start of the message.
    const message = code ? error.message.replace(new RegExp(`^${code}:\\s*`), '') : error.message;
    return { code: code ?? 'ERROR', message: oneLine(message || error.name), exitCode: 1 };
  }
  return { code: 'ERROR', message: oneLine(String(error)), exitCode: 1 };
}

/** The line a failure prints on stderr: `NAME: CODE: message`. */
export function failureLine(name: string, failure: Failure): string {
  return `${name}: ${failure.code}: ${failure.message}\n`;
}
