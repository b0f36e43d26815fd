import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  count,
  duration,
  latency,
  latencyColumn,
  latencyColumns,
  mdCode,
  mdTable,
  mdText,
  MISSING,
  percent,
  rate,
  sig3,
  times,
} from './format';

describe('report number formats', () => {
  it('writes throughput with one decimal and counts with separators', () => {
    assert.equal(rate(268.44), '268.4');
    assert.equal(rate(1234.56), '1,234.6');
    assert.equal(rate(0), '0.0');
    assert.equal(rate(undefined), MISSING);
    assert.equal(rate(NaN), MISSING);
    assert.equal(count(48494), '48,494');
    assert.equal(count(-1234567), '-1,234,567');
  });

  it('writes three significant digits', () => {
    assert.equal(sig3(0.2214), '0.221');
    assert.equal(sig3(0.5), '0.500');
    assert.equal(sig3(92.71), '92.7');
    assert.equal(sig3(224.4), '224');
    assert.equal(sig3(12345.6), '12,346');
    assert.equal(sig3(0), '0');
    assert.equal(times(12.87), '12.9×');
    assert.equal(percent(0.6712), '67.1%');
  });

  it('writes a latency column in ms only when every value is under a second', () => {
    assert.deepEqual(latencyColumn([0.221, 0.32, undefined]), { unit: 'ms', cells: ['221', '320', MISSING] });
    assert.deepEqual(latencyColumn([0.221, 4.48]), { unit: 's', cells: ['0.221', '4.48'] });
    assert.deepEqual(latencyColumn([]), { unit: 's', cells: [] });
    assert.deepEqual(latencyColumns([[0.1], [0.9], [1.2]]), {
      unit: 's',
      cells: [['0.100'], ['0.900'], ['1.20']],
    });
    assert.equal(latency(0.0041), '4.10 ms');
    assert.equal(latency(25.04), '25.0 s');
  });

  it('writes durations', () => {
    assert.equal(duration(42), '42.0 s');
    assert.equal(duration(750), '12 min 30 s');
    assert.equal(duration(4187.4), '1 h 09 min 47 s');
  });

  it('keeps text from the results from breaking the markdown', () => {
    assert.equal(mdText('a | b\n*c* <img src=x>'), 'a \\| b \\*c\\* &lt;img src=x&gt;');
    assert.equal(mdCode('no | pipe'), '`no \\| pipe`');
    assert.equal(mdCode('has `tick`'), '`` has `tick` ``');
    assert.equal(mdTable(['a', 'b'], [['1', '2']], ['l', 'r']), '| a | b |\n| --- | ---: |\n| 1 | 2 |');
  });
});
