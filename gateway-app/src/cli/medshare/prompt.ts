import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { CliError, UsageError } from './errors';

/** The terminal the CLI may ask on: stdin for answers, stderr for questions (stdout stays for output). */
export interface Terminal {
  readonly interactive: boolean;
  /** Asks with echo off. */
  hidden(question: string): Promise<string>;
  /** Asks with echo on. */
  visible(question: string): Promise<string>;
}

/** The process's terminal: interactive only when stdin is a TTY. */
export function processTerminal(): Terminal {
  return {
    interactive: process.stdin.isTTY,
    hidden: askHidden,
    async visible(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      try {
        return (await rl.question(question)).trim();
      } finally {
        rl.close();
      }
    },
  };
}

function askHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          return;
        }
        if (ch === '\u0003') {
          finish(new CliError('CANCELLED', 'interrupted'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** Where a secret the user types may come from. */
export interface SecretSource {
  /** What it is, for prompts and errors: `password`, `backup passphrase`. */
  what: string;
  /** `--password-file`: the option naming a file that holds it. */
  fileOption: string;
  /** The file given with that option, if any. */
  file: string | undefined;
  /** `MEDSHARE_PASSWORD`: the environment variable that may hold it. */
  envVar: string;
  /** Ask twice at a prompt (a new password). */
  confirm?: boolean;
}

/** Reads a one-value text file: its content less one trailing newline; empty is a usage error. */
export async function readValueFile(file: string, what: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read the ${what} file ${file}`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new UsageError(`the ${what} file ${file} is empty`);
  return value;
}

/**
 * A password or passphrase: from its file option, else its environment
 * variable, else a prompt with echo off when stdin is a terminal; never from
 * a plain argument, which other users of the machine could read.
 */
export async function readSecret(
  source: SecretSource,
  env: Readonly<Record<string, string | undefined>>,
  terminal: Terminal,
): Promise<string> {
  if (source.file !== undefined) return readValueFile(source.file, source.what);
  const fromEnv = env[source.envVar];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!terminal.interactive) {
    throw new UsageError(
      `give the ${source.what} with ${source.fileOption} FILE or ${source.envVar} (no terminal to ask on)`,
    );
  }
  const value = await terminal.hidden(`${capitalise(source.what)}: `);
  if (value === '') throw new UsageError(`the ${source.what} is empty`);
  if (source.confirm && (await terminal.hidden(`Repeat the ${source.what}: `)) !== value) {
    throw new UsageError(`the two ${source.what}s differ`);
  }
  return value;
}

/** A TOTP code: the option's value, else a prompt (echo on: a used code is worthless). */
export async function readCode(code: string | undefined, terminal: Terminal): Promise<string> {
  if (code !== undefined) return code;
  if (!terminal.interactive) throw new UsageError('give the code from your authenticator with --code CODE');
  const typed = (await terminal.visible('Code from your authenticator: ')).replace(/\s/g, '');
  if (!/^\d{6}$/.test(typed)) throw new UsageError('a code is 6 digits');
  return typed;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
