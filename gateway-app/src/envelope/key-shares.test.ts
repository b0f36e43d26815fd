import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DataKey } from './data-key';
import { generateEncryptionKeyPair, wrapDataKey, type EncryptionKeyPair } from './key-wrap';
import {
  combineShares,
  contributeShares,
  splitForHolders,
  subsetsOf,
  type EmergencyShares,
  type ShareContribution,
} from './key-shares';
import { isCode, sameDataKey } from './testing';

interface Person {
  id: string;
  keyPair: EncryptionKeyPair;
}

describe('emergency key shares', () => {
  let holders: Person[];
  let doctor: Person;
  let other: Person;
  let dataKey: DataKey;
  let shares: EmergencyShares;

  const person = async (id: string): Promise<Person> => ({ id, keyPair: await generateEncryptionKeyPair() });
  const contribute = (holder: Person, s = shares, to = doctor) =>
    contributeShares(
      s,
      { holderId: holder.id, keyPair: holder.keyPair },
      { doctorId: to.id, spki: to.keyPair.publicKeySpki },
    );
  const combine = (contributions: ShareContribution[], s = shares, as = doctor) =>
    combineShares(contributions, s.check, { doctorId: as.id, keyPair: as.keyPair });
  const holderOf = (i: number): Person => holders[i] ?? assert.fail(`no holder ${String(i)}`);

  before(async () => {
    holders = [await person('op-a'), await person('op-b'), await person('op-c')];
    doctor = await person('doctor-er');
    other = await person('doctor-other');
    dataKey = await DataKey.generate();
    shares = await splitForHolders(
      dataKey,
      holders.map((h) => ({ holderId: h.id, spki: h.keyPair.publicKeySpki })),
      2,
      1,
    );
  });

  it('lists every subset of the holders once', () => {
    assert.deepEqual(subsetsOf(['a', 'b', 'c'], 2), [
      ['a', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
    assert.equal(subsetsOf([1, 2, 3, 4, 5], 3).length, 10);
  });

  it('2 of 3: any two holders release the key to the doctor, on their own devices', async () => {
    assert.equal(shares.parts.length, 3);
    for (const [a, b] of subsetsOf([0, 1, 2], 2)) {
      const key = await combine([await contribute(holderOf(a ?? 0)), await contribute(holderOf(b ?? 0))]);
      assert.ok(await sameDataKey(dataKey, key), `holders ${String(a)} and ${String(b)}`);
    }
  });

  it('one holder alone releases nothing, and their parts are not the key', async () => {
    const alone = await contribute(holderOf(0));
    await assert.rejects(combine([alone]), isCode('INVALID_STATE'));
    // Even the doctor, given everything one holder has, cannot open the record.
    for (const part of alone.parts) {
      await assert.rejects(
        combine([alone, { holderId: holderOf(1).id, parts: [] }]),
        isCode('INVALID_STATE'),
        `subset ${String(part.subset)}`,
      );
    }
  });

  it('a holder cannot unwrap another holder’s part, nor can anyone outside the key set', async () => {
    await assert.rejects(
      contributeShares(
        shares,
        { holderId: holderOf(0).id, keyPair: holderOf(1).keyPair },
        { doctorId: doctor.id, spki: doctor.keyPair.publicKeySpki },
      ),
      isCode('WRONG_KEY'),
    );
    await assert.rejects(contribute(other), isCode('INVALID_ARGUMENT'));
  });

  it('parts released to one doctor do not open for another', async () => {
    const pair = [await contribute(holderOf(0)), await contribute(holderOf(1))];
    await assert.rejects(combine(pair, shares, other), isCode('WRONG_KEY'));
  });

  it('a holder who contributes garbage is caught by the sender’s check before any content is read', async () => {
    const honest = await contribute(holderOf(0));
    const forged: ShareContribution = {
      holderId: holderOf(1).id,
      parts: await Promise.all(
        shares.parts
          .map((p, subset) => ({ p, subset }))
          .filter(({ p }) => p.holders.includes(holderOf(1).id))
          .map(async ({ p, subset }) => ({
            subset,
            holders: p.holders,
            wrapped: await wrapDataKey(
              await DataKey.generate(),
              doctor.keyPair.publicKeySpki,
              `emergency-part/${String(subset)}/${doctor.id}`,
            ),
          })),
      ),
    };
    await assert.rejects(combine([honest, forged]), isCode('WRONG_KEY'));
  });

  it('3 of 4: three holders release it, two do not', async () => {
    const four = [...holders, await person('op-d')];
    const split = await splitForHolders(
      dataKey,
      four.map((h) => ({ holderId: h.id, spki: h.keyPair.publicKeySpki })),
      3,
      2,
    );
    assert.equal(split.parts.length, 4);
    const give = (h: Person) => contribute(h, split);
    const [a, b, , d] = four;
    assert.ok(a && b && d);
    await assert.rejects(combine([await give(a), await give(d)], split), isCode('INVALID_STATE'));
    const key = await combine([await give(a), await give(b), await give(d)], split);
    assert.ok(await sameDataKey(dataKey, key));
  });

  it('refuses key sets it cannot split safely', async () => {
    const spki = holderOf(0).keyPair.publicKeySpki;
    const many = Array.from({ length: 8 }, (_, i) => ({ holderId: `op-${String(i)}`, spki }));
    await assert.rejects(splitForHolders(dataKey, many, 2, 1), isCode('INVALID_ARGUMENT'));
    await assert.rejects(splitForHolders(dataKey, many.slice(0, 3), 1, 1), isCode('INVALID_ARGUMENT'));
    await assert.rejects(splitForHolders(dataKey, many.slice(0, 3), 4, 1), isCode('INVALID_ARGUMENT'));
    await assert.rejects(
      splitForHolders(dataKey, [many[0] ?? assert.fail(), many[0] ?? assert.fail()], 2, 1),
      isCode('INVALID_ARGUMENT'),
    );
  });
});
