import { closeSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DatabaseError } from './errors';

/** A better-sqlite3 connection, as {@link openDatabase} returns it. */
export type Database = BetterSqlite3.Database;

/**
 * Opens (creating if need be) the gateway's SQLite database: WAL journal, foreign keys enforced, a 5 s
 * busy timeout and `synchronous = NORMAL` (durable across process crashes; a power cut may lose the last
 * transactions, never corrupt the file). A new file is created with mode 0600, and SQLite gives its WAL
 * and shared-memory files the same mode. The directory must exist already.
 *
 * @param file - a path, or `':memory:'` for a private in-memory database (tests).
 * @throws {@link DatabaseError} `OPEN_FAILED` when the directory is missing or the file cannot be opened.
 */
export function openDatabase(file: string): Database {
  if (file !== ':memory:') createPrivately(file);
  let db: Database;
  try {
    db = new BetterSqlite3(file, { fileMustExist: file !== ':memory:' });
  } catch (error) {
    throw new DatabaseError('OPEN_FAILED', `cannot open the database ${file}`, {
      cause: error,
      details: { file },
    });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
  } catch (error) {
    db.close();
    throw new DatabaseError('OPEN_FAILED', `cannot configure the database ${file}`, {
      cause: error,
      details: { file },
    });
  }
  return db;
}

// SQLite would create the file with the process umask (usually 0644); creating it first fixes the mode,
// and SQLite copies the main file's mode onto its -wal and -shm files.
function createPrivately(file: string): void {
  const directory = dirname(file);
  let isDirectory = false;
  try {
    isDirectory = statSync(directory).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) {
    throw new DatabaseError('OPEN_FAILED', `the directory of the database does not exist: ${directory}`, {
      details: { file },
    });
  }
  try {
    closeSync(openSync(file, 'a', 0o600));
  } catch (error) {
    throw new DatabaseError('OPEN_FAILED', `cannot create the database ${file}`, {
      cause: error,
      details: { file },
    });
  }
}

/**
 * Applies a module's schema once: runs `statements` in one immediate transaction and records `name` in
 * the `schema_versions` table, so a second call (another instance, a restart) does nothing. Name a
 * changed schema anew (`accounts/2`) rather than editing an applied one.
 *
 * @returns whether the statements ran now.
 * @throws {@link DatabaseError} `SCHEMA_FAILED` when a statement fails; the transaction is rolled back.
 */
export function ensureSchema(db: Database, name: string, statements: readonly string[]): boolean {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_versions (name TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL) STRICT',
  );
  const apply = db.transaction(() => {
    if (db.prepare('SELECT 1 FROM schema_versions WHERE name = ?').get(name) !== undefined) return false;
    for (const statement of statements) db.exec(statement);
    db.prepare('INSERT INTO schema_versions (name, applied_at) VALUES (?, ?)').run(
      name,
      new Date().toISOString(),
    );
    return true;
  });
  try {
    return apply.immediate();
  } catch (error) {
    throw new DatabaseError('SCHEMA_FAILED', `cannot apply the schema ${name}`, {
      cause: error,
      details: { schema: name },
    });
  }
}
