import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execFileCapture, killRunningCommands } from './exec.js';

const dir = mkdtempSync(join(tmpdir(), 'preflight-exec-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Running (not gone, and not a zombie waiting for a parent that may never reap it). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function pidFrom(file: string): Promise<number> {
  while (!existsSync(file) || !readFileSync(file, 'utf8').endsWith('\n')) await new Promise((r) => setTimeout(r, 20));
  return Number(readFileSync(file, 'utf8'));
}

describe('engine commands are killed with what they started', { timeout: 30_000 }, () => {
  // `docker compose` is `docker` running the v2 plugin as a child: killing only the parent would
  // leave the plugin at work. Here a shell stands for docker and its `sleep` for the plugin.
  it('killRunningCommands ends the command and its children, and the command resolves', async () => {
    const pidFile = join(dir, 'interrupt.pid');
    const run = execFileCapture('sh', ['-c', `sleep 300 & echo $! > ${pidFile}; wait`]);
    const grandchild = await pidFrom(pidFile);
    assert.ok(alive(grandchild));
    await killRunningCommands();
    const r = await run;
    assert.equal(r.code, 137);
    assert.equal(alive(grandchild), false, 'the child of the command is gone too');
  });

  it('a command past its timeout is killed with its children', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const r = await execFileCapture('sh', ['-c', `sleep 300 & echo $! > ${pidFile}; wait`], { timeoutMs: 500 });
    assert.equal(r.code, 137);
    assert.equal(alive(await pidFrom(pidFile)), false);
  });
});
