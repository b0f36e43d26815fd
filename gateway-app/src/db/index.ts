/**
 * The gateway's SQLite database: opening it with the settings every module relies on, and applying
 * each module's schema once.
 *
 * @packageDocumentation
 */

export { type Database, ensureSchema, openDatabase } from './database';
export { DatabaseError, type DatabaseErrorCode, type DatabaseErrorOptions } from './errors';
