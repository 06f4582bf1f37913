import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDotenv, dotenvToMap } from './dotenv.js';
import { InputError } from '../util/errors.js';

const noEnv = { lookup: () => undefined };
const parse = (text: string, env: Record<string, string> = {}) => parseDotenv(text, '.env', { lookup: (k) => env[k] });
const pairs = (text: string, env: Record<string, string> = {}) => parse(text, env).map((e) => [e.key, e.value]);

test('plain, export, empty, comments and blank lines', () => {
  const text =
    '# comment\n\nA=1\nexport B=two words\nC=\n  D = spaced  \n\t# indented comment\nE=x # trailing ' +
    'comment\nF=x#not-a-comment\n';
  assert.deepEqual(pairs(text), [
    ['A', '1'],
    ['B', 'two words'],
    ['C', ''],
    ['D', 'spaced'],
    ['E', 'x'],
    ['F', 'x#not-a-comment'],
  ]);
});

test('line numbers count comments, blank lines and multi-line values', () => {
  const entries = parse('# c\n\nA=1\nB="x\ny\nz"\nC=3\n');
  assert.deepEqual(
    entries.map((e) => [e.key, e.line]),
    [
      ['A', 3],
      ['B', 4],
      ['C', 7],
    ],
  );
});

test('single quotes are literal and may span lines', () => {
  assert.deepEqual(pairs(`A='a\\nb $X # not comment'\nB='x\ny'\nC='it\\'s'`, { X: 'no' }), [
    ['A', 'a\\nb $X # not comment'],
    ['B', 'x\ny'],
    ['C', "it's"],
  ]);
});

test('double quotes: escapes and multi-line', () => {
  assert.deepEqual(pairs('A="a\\nb\\tc \\"q\\" back\\\\slash"\nB="line1\nline2"  # comment\nC="\\$HOME"'), [
    ['A', 'a\nb\tc "q" back\\slash'],
    ['B', 'line1\nline2'],
    ['C', '$HOME'],
  ]);
});

test('CRLF line endings and BOM', () => {
  assert.deepEqual(pairs('\uFEFFA=1\r\nB="x\r\ny"\r\nC=3\r\n'), [
    ['A', '1'],
    ['B', 'x\ny'],
    ['C', '3'],
  ]);
});

test('interpolation like Compose: earlier entries, environment first, defaults, $$', () => {
  const env = { HOME_DIR: '/home/u', A: 'from-env' };
  assert.deepEqual(
    pairs('A=file\nB=${A}\nC=$HOME_DIR/x\nD=${NOPE:-dflt}\nE=${C:+set}\nF=$$literal\nG="${NOPE-${HOME_DIR}}"', env),
    [
      ['A', 'file'],
      ['B', 'from-env'],
      ['C', '/home/u/x'],
      ['D', 'dflt'],
      ['E', 'set'],
      ['F', '$literal'],
      ['G', '/home/u'],
    ],
  );
});

test('unset references become empty and are reported as unresolved', () => {
  const [e] = parse('PASSWORD=ab$cd');
  assert.equal(e!.value, 'ab');
  assert.deepEqual(e!.unresolved, ['cd']);
});

test('interpolate: false keeps dollars', () => {
  const [e] = parseDotenv('A=a$b${c}', '.env', { ...noEnv, interpolate: false });
  assert.equal(e!.value, 'a$b${c}');
});

test('bare KEY inherits from the environment or is left out', () => {
  assert.deepEqual(pairs('A\nB\nC=1', { A: 'x' }), [
    ['A', 'x'],
    ['C', '1'],
  ]);
});

test('last assignment wins in the map', () => {
  assert.equal(dotenvToMap(parse('A=1\nA=2')).get('A'), '2');
});

test('every bad line of a file is one problem of one InputError, in order', () => {
  assert.throws(
    () => parse('A=1\nnot a line\nB="x" y\nC=ok\n=z\n'),
    (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.deepEqual(
        err.problems.map((p) => p.line),
        [2, 3, 5],
      );
      return true;
    },
  );
});

test('bad lines are InputErrors naming file and line, never the value', () => {
  const cases: Array<[string, number]> = [
    ['A=1\nB="unterminated s3cr3t', 2],
    ["A=1\n\nB='unterminated s3cr3t", 3],
    ['A=1\nBAD KEY=s3cr3t', 2],
    ['A="s3cr3t" trailing', 1],
    ['=s3cr3t', 1],
    ['A=${UNSET:?is required}s3cr3t', 1],
  ];
  for (const [text, line] of cases) {
    assert.throws(
      () => parse(text),
      (err: unknown) => {
        assert.ok(err instanceof InputError, text);
        assert.match(err.message, new RegExp(`^\\.env:${line}(:\\d+)?: `), `${text} -> ${err.message}`);
        assert.ok(!err.message.includes('s3cr3t'), `value leaked: ${err.message}`);
        return true;
      },
    );
  }
});
