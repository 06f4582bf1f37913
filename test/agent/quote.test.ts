/** Simulated quotes: clearly marked, report_data embedded, RTMRs consistent with the event log the SDK replays. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { DstackClient } from '@phala/dstack-sdk';
import {
  QUOTE_MARKER,
  REPORT_DATA_OFFSET,
  isSimulatedQuote,
  quoteReportData,
  startAgent,
  type AgentHandle,
} from '../../src/agent/index.js';
import { rawCall, tempDir } from './helpers.js';

let agent: AgentHandle;
let tmp: ReturnType<typeof tempDir>;
const rtmrInQuote = (quoteHex: string, i: number) => quoteHex.slice((48 + 328 + 48 * i) * 2, (48 + 376 + 48 * i) * 2);

before(async () => {
  tmp = tempDir();
  agent = await startAgent({ socketPath: join(tmp.dir, 'a.sock'), osVersion: '0.5.11' });
});
after(async () => {
  await agent.close();
  tmp.cleanup();
});

describe('simulated quotes', () => {
  it('start with the ASCII marker and carry report_data at the TDX offset', async () => {
    const q = await new DstackClient(agent.socketPath).getQuote(Buffer.alloc(64, 0xab));
    assert.equal(Buffer.from(q.quote, 'hex').subarray(0, 48).toString('latin1'), QUOTE_MARKER);
    assert.match(QUOTE_MARKER, /SIMULATED/);
    assert.ok(isSimulatedQuote(q.quote));
    assert.equal(quoteReportData(q.quote), 'ab'.repeat(64));
    assert.equal(q.report_data, 'ab'.repeat(64));
    assert.equal(REPORT_DATA_OFFSET, 568);
    assert.equal(JSON.parse(q.vm_config!).simulated, true);
  });

  it('pads short report_data with zeros', async () => {
    const q = await new DstackClient(agent.socketPath).getQuote('hi');
    assert.equal(quoteReportData(q.quote), Buffer.from('hi').toString('hex').padEnd(128, '0'));
  });

  it('rejects report_data over 64 bytes, in the SDK and in the agent itself', async () => {
    const client = new DstackClient(agent.socketPath);
    await assert.rejects(client.getQuote(Buffer.alloc(65)), /too large/);
    for (const method of ['/GetQuote', '/Attest', '/prpc/Tappd.RawQuote']) {
      const res = await rawCall(agent.socketPath!, method, JSON.stringify({ report_data: '00'.repeat(65) }));
      assert.equal(res.status, 400, method);
      assert.match(String(res.json.error), /too long/, method);
    }
    const exact = await rawCall(agent.socketPath!, '/GetQuote', JSON.stringify({ report_data: '00'.repeat(64) }));
    assert.equal(exact.status, 200);
    const notHex = await rawCall(agent.socketPath!, '/GetQuote', JSON.stringify({ report_data: 'zz' }));
    assert.equal(notHex.status, 400);
  });

  it('RTMRs in the quote and in Info equal the SDK replay of the event log, and EmitEvent extends RTMR3', async () => {
    const client = new DstackClient(agent.socketPath);
    const q1 = await client.getQuote('x');
    const replayed = q1.replayRtmrs();
    for (let i = 0; i < 4; i++) assert.equal(rtmrInQuote(q1.quote, i), replayed[i], `rtmr${i}`);
    const info = await client.info();
    assert.equal(info.tcb_info.rtmr3, replayed[3]);
    const events = JSON.parse(q1.event_log) as { imr: number; event: string; event_payload: string }[];
    const appIdEvent = events.find((e) => e.event === 'app-id');
    assert.equal(appIdEvent?.event_payload, agent.appId);
    assert.equal(events.find((e) => e.event === 'compose-hash')?.event_payload, info.compose_hash);

    await client.emitEvent('app-started', 'v1');
    const q2 = await client.getQuote('x');
    const after = q2.replayRtmrs();
    assert.notEqual(after[3], replayed[3]);
    assert.deepEqual(after.slice(0, 3), replayed.slice(0, 3));
    assert.equal(rtmrInQuote(q2.quote, 3), after[3]);
    // dstack's runtime-event digest: sha384(le32(0x08000001) ‖ ":" ‖ name ‖ ":" ‖ payload)
    const last = (JSON.parse(q2.event_log) as { event: string; digest: string }[]).at(-1)!;
    const tag = Buffer.alloc(4);
    tag.writeUInt32LE(0x08000001);
    assert.equal(last.event, 'app-started');
    assert.equal(
      last.digest,
      createHash('sha384')
        .update(Buffer.concat([tag, Buffer.from(':app-started:v1')]))
        .digest('hex'),
    );
  });
});

describe('HTTP surface', () => {
  it('answers unknown methods and bad JSON with 400 and a JSON error, as prpc does', async () => {
    const unknown = await rawCall(agent.socketPath!, '/NoSuchMethod', '{}');
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.json.error), /no such method/);
    const bad = await rawCall(agent.socketPath!, '/GetKey', '{oops');
    assert.equal(bad.status, 400);
    const wrongType = await rawCall(agent.socketPath!, '/GetKey', '{"path": 5}');
    assert.equal(wrongType.status, 400);
    const prpc = await rawCall(agent.socketPath!, '/prpc/DstackGuest.Version?json', '');
    assert.equal(prpc.json.rev, 'preflight-agent-simulated');
  });
});
