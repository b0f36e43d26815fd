import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ensureSchema, openDatabase } from './database';
import { DatabaseError } from './errors';

const dir = mkdtempSync(join(tmpdir(), 'medshare-db-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openDatabase', () => {
  it('creates a private file in WAL mode with foreign keys, a busy timeout and synchronous NORMAL', () => {
    const file = join(dir, 'gateway.sqlite');
    const db = openDatabase(file);
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
      assert.equal(db.pragma('synchronous', { simple: true }), 1);
      db.exec('CREATE TABLE t (x INTEGER)');
      db.prepare('INSERT INTO t VALUES (1)').run();
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(`${file}-wal`).mode & 0o777, 0o600);
    } finally {
      db.close();
    }
  });

  it('refuses a path whose directory does not exist', () => {
    assert.throws(
      () => openDatabase(join(dir, 'missing', 'gateway.sqlite')),
      (e: unknown) => e instanceof DatabaseError && e.code === 'OPEN_FAILED',
    );
  });

  it('opens an in-memory database', () => {
    const db = openDatabase(':memory:');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    db.close();
  });
});

describe('ensureSchema', () => {
  it('applies a schema once and records it', () => {
    const db = openDatabase(':memory:');
    assert.equal(ensureSchema(db, 'things/1', ['CREATE TABLE things (x INTEGER)']), true);
    // Without the record, the plain CREATE TABLE would fail the second time.
    assert.equal(ensureSchema(db, 'things/1', ['CREATE TABLE things (x INTEGER)']), false);
    assert.deepEqual(db.prepare('SELECT name FROM schema_versions').pluck().all(), ['things/1']);
    db.close();
  });

  it('rolls back a schema whose statements fail', () => {
    const db = openDatabase(':memory:');
    assert.throws(
      () => ensureSchema(db, 'broken/1', ['CREATE TABLE ok (x INTEGER)', 'NOT SQL']),
      (e: unknown) =>
        e instanceof DatabaseError && e.code === 'SCHEMA_FAILED' && e.details.schema === 'broken/1',
    );
    assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ok'").pluck().get(), 0);
    assert.equal(db.prepare('SELECT count(*) FROM schema_versions').pluck().get(), 0);
    db.close();
  });
});
