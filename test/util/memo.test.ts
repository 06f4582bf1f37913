import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoized } from '../../src/util/memo.js';

/** A function that counts its calls, memoised with a small cap. */
function counted(opts = { cap: 3, maxKeyLength: 8 }) {
  const calls: string[] = [];
  const fn = memoized((key: string) => {
    calls.push(key);
    return key.length % 2 === 0 ? undefined : key.length;
  }, opts);
  return { fn, calls };
}

test('memoized: the same key is computed once, falsy results included', () => {
  const { fn, calls } = counted();
  assert.equal(fn('ab'), undefined);
  assert.equal(fn('abc'), 3);
  assert.equal(fn('ab'), undefined);
  assert.equal(fn('abc'), 3);
  assert.deepEqual(calls, ['ab', 'abc']);
});

test('memoized: bounded — at the cap everything is forgotten, long keys are never kept', () => {
  const { fn, calls } = counted();
  for (const k of ['a', 'b', 'c']) fn(k);
  fn('d'); // the cap (3) is reached: all forgotten, then d kept
  fn('a');
  assert.deepEqual(calls, ['a', 'b', 'c', 'd', 'a']);
  fn('d');
  assert.equal(calls.length, 5, 'd was kept after the reset');
  const long = 'x'.repeat(9);
  fn(long);
  fn(long);
  assert.deepEqual(calls.slice(5), [long, long]);
});
