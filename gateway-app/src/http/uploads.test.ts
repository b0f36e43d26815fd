import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionData } from 'express-session';
import { noteCommitted, notePrepared, noteRemoved, noteUpload, removalRefusal } from './uploads';

/** The gateway removes an upload only while no committed deposit of the session points at it. */
describe('upload book', () => {
  const CID = 'bafy'.padEnd(59, 'a');

  it('lets a session remove its own upload that no deposit points at, and nothing else', () => {
    const session: Partial<SessionData> = {};
    assert.equal(removalRefusal(session, CID), 'NOT_UPLOADED');
    noteUpload(session, CID);
    assert.equal(removalRefusal(session, CID), undefined);
    noteRemoved(session, CID);
    assert.equal(removalRefusal(session, CID), 'NOT_UPLOADED');
  });

  it('refuses while a committed deposit points at it, and allows it again once withdrawn', () => {
    const session: Partial<SessionData> = {};
    noteUpload(session, CID);
    notePrepared(session, 'p1', { deposit: { cid: CID, key: 'rec/reader' } });
    assert.equal(removalRefusal(session, CID), undefined, 'prepared is not committed');
    noteCommitted(session, 'p1');
    assert.equal(removalRefusal(session, CID), 'IN_USE');
    notePrepared(session, 'p2', { withdraw: 'rec/other-reader' });
    noteCommitted(session, 'p2');
    assert.equal(removalRefusal(session, CID), 'IN_USE', 'another deposit was withdrawn');
    notePrepared(session, 'p3', { withdraw: 'rec/reader' });
    noteCommitted(session, 'p3');
    assert.equal(removalRefusal(session, CID), undefined);
  });

  it('does not track deposits of content another session uploaded', () => {
    const session: Partial<SessionData> = {};
    notePrepared(session, 'p1', { deposit: { cid: CID, key: 'rec/reader' } });
    noteCommitted(session, 'p1');
    assert.equal(removalRefusal(session, CID), 'NOT_UPLOADED');
  });
});
