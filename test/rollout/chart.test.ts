import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMs, renderTimeline, type TimelineSecond } from '../../src/rollout/load/index.js';

const sec = (second: number, scheduled: number, ok: number, p99: number | null): TimelineSecond => ({
  second,
  scheduled,
  ok,
  failed: scheduled - ok,
  availability: scheduled ? ok / scheduled : null,
  p50Ms: p99 === null ? null : p99 / 2,
  p99Ms: p99,
});

describe('timeline chart', () => {
  // 100 %, 100 %, one failure in 200, a quarter failed, idle, all failed, back to 100 %.
  const outage = [
    sec(0, 200, 200, 10),
    sec(1, 200, 200, 12),
    sec(2, 200, 199, 80),
    sec(3, 200, 150, 400),
    sec(4, 0, 0, null),
    sec(5, 200, 0, null),
    sec(6, 200, 200, 20),
  ];

  it('one character a second for availability and p99, with the worst second named', () => {
    assert.equal(
      renderTimeline(outage),
      [
        'availability ██▆▃·▁█  min 0% at 5s',
        'p99 latency  ▁▁▂█··▁  max 400 ms at 3s',
        '             0s   7s  (1 s per column)',
        '             availability: █ 100% ▇ ≥99.9% ▆ ≥99% ▅ ≥95% ▄ ≥90% ▃ ≥50% ▂ >0% ▁ 0%; p99: ▁…█ up to 400 ms; · = no data',
      ].join('\n'),
    );
  });

  it('ASCII for logs that mangle UTF-8', () => {
    const lines = renderTimeline(outage, { ascii: true }).split('\n');
    assert.equal(lines[0], 'availability ##+: _#  min 0% at 5s');
    assert.equal(lines[1], 'p99 latency  __.#  _  max 400 ms at 3s');
    assert.ok(
      lines.every((l) => /^[\x20-\x7e]*$/.test(l)),
      'non-ASCII character',
    );
  });

  it('folds long runs into columns that keep their worst second', () => {
    const long = Array.from({ length: 130 }, (_, i) => sec(i, 200, i === 77 ? 190 : 200, i === 100 ? 300 : 10));
    const [availability, p99, axis] = renderTimeline(long, { width: 40 }).split('\n');
    // 130 s at most 40 columns: 4 s a column, 33 columns; the 95 % second and the 300 ms second survive.
    assert.equal(availability, `availability ${'█'.repeat(19)}▅${'█'.repeat(13)}  min 95.0% at 77s`);
    assert.equal(p99, `p99 latency  ${'▁'.repeat(25)}█${'▁'.repeat(7)}  max 300 ms at 100s`);
    assert.equal(axis, `             0s${' '.repeat(27)}130s  (4 s per column)`);
  });

  it('an empty run, and a run without one successful request', () => {
    assert.equal(renderTimeline([]), '(no requests)');
    const down = renderTimeline([sec(0, 10, 0, null), sec(1, 10, 0, null)]).split('\n');
    assert.equal(down[0], 'availability ▁▁  min 0% at 0s');
    assert.equal(down[1], 'p99 latency  ··  no successful request');
  });

  it('milliseconds formatted for the report', () => {
    assert.deepEqual(
      [formatMs(1.234), formatMs(41.26), formatMs(412.4), formatMs(2345)],
      ['1.23 ms', '41.3 ms', '412 ms', '2.35 s'],
    );
  });
});
