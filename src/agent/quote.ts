/**
 * Simulated TDX measurements and quotes. Nothing here is attestation: every quote starts with
 * QUOTE_MARKER where a real quote has its header (so no verifier accepts it), carries no signature,
 * and `Info` says `simulated: true`. What is real is the plumbing apps test: report_data sits where a
 * TDX v4 quote keeps it (byte 568), the RTMR fields equal what the SDK's `replayRtmrs()` computes from
 * the returned event log, and EmitEvent extends RTMR3 the way dstack does.
 */
import { hashByName, sha256, sha384, toHex } from './encoding.js';

/** First bytes of every simulated quote (ASCII, padded with spaces to the 48-byte TDX header size). */
export const QUOTE_MARKER = 'PREFLIGHT-SIMULATED-QUOTE NOT-AN-ATTESTATION'.padEnd(48, ' ');
export const ATTESTATION_MARKER = 'PREFLIGHT-SIMULATED-ATTESTATION NOT-AN-ATTESTATION\n';
/** Offsets in a TDX v4 quote: 48-byte header, then the TD report body. */
export const REPORT_DATA_OFFSET = 568;
const BODY = { mrtd: 136, rtmr0: 328, reportData: 520, size: 584 } as const;
const QUOTE_TRAILER = '\nno signature: simulated by `preflight agent`, see docs/agent.md\n';

/** dstack's tag for runtime events extended into RTMR3. */
export const DSTACK_RUNTIME_EVENT_TYPE = 0x08000001;

export interface EventLogEntry {
  imr: number;
  event_type: number;
  digest: string;
  event: string;
  event_payload: string;
}

export function isSimulatedQuote(quoteHex: string): boolean {
  return Buffer.from(quoteHex.slice(0, 96), 'hex').toString('latin1') === QUOTE_MARKER;
}

/** report_data of a (simulated or real) quote, hex. */
export function quoteReportData(quoteHex: string): string {
  return quoteHex.slice(REPORT_DATA_OFFSET * 2, (REPORT_DATA_OFFSET + 64) * 2);
}

/** dstack runtime event digest: sha384(le32(type) ‖ ":" ‖ event ‖ ":" ‖ payload). */
export function runtimeEventDigest(event: string, payload: Uint8Array): Buffer {
  const type = Buffer.alloc(4);
  type.writeUInt32LE(DSTACK_RUNTIME_EVENT_TYPE);
  return sha384(Buffer.concat([type, Buffer.from(`:${event}:`, 'utf8'), payload]));
}

/** The SDK's replay: RTMR = sha384(RTMR ‖ digest padded to 48), from 48 zero bytes. */
export function replayRtmr(digests: string[]): Buffer {
  let mr: Buffer = Buffer.alloc(48);
  for (const digest of digests) {
    const d = Buffer.from(digest, 'hex');
    mr = sha384(Buffer.concat([mr, d.length < 48 ? Buffer.concat([d, Buffer.alloc(48 - d.length)]) : d]));
  }
  return mr;
}

/** RTMR3 events every simulated boot starts with (system-preparing … system-ready). */
const BOOT_EVENTS = 7;

export interface BootFacts {
  appId: string;
  composeHash: string;
  instanceId: string;
  keyProviderInfo: string;
}

/** One boot's measurements: fixed simulated firmware/kernel events, dstack's boot events, then app events. */
export class SimulatedMeasurements {
  readonly mrtd = sha384(Buffer.from('preflight-simulated:mrtd'));
  readonly osImageHash = toHex(sha256('preflight-simulated:os-image'));
  private readonly events: EventLogEntry[] = [];

  constructor(facts: BootFacts) {
    for (const [imr, name] of [
      [0, 'td-hob-and-firmware'],
      [1, 'kernel'],
      [2, 'kernel-cmdline-and-initrd'],
    ] as const) {
      const event = `preflight-simulated-${name}`;
      this.events.push({ imr, event_type: 1, digest: toHex(sha384(Buffer.from(event))), event, event_payload: '' });
    }
    this.extendRuntime('system-preparing', Buffer.alloc(0));
    this.extendRuntime('app-id', Buffer.from(facts.appId, 'hex'));
    this.extendRuntime('compose-hash', Buffer.from(facts.composeHash, 'hex'));
    this.extendRuntime('instance-id', Buffer.from(facts.instanceId, 'hex'));
    this.extendRuntime('boot-mr-done', Buffer.alloc(0));
    this.extendRuntime('key-provider', Buffer.from(facts.keyProviderInfo, 'utf8'));
    this.extendRuntime('system-ready', Buffer.alloc(0));
  }

  /** EmitEvent: extends RTMR3. */
  extendRuntime(event: string, payload: Uint8Array): void {
    this.events.push({
      imr: 3,
      event_type: DSTACK_RUNTIME_EVENT_TYPE,
      digest: toHex(runtimeEventDigest(event, payload)),
      event,
      event_payload: toHex(payload),
    });
  }

  /** Events in RTMR3 beyond the boot's own. */
  runtimeEvents(): number {
    return this.events.filter((e) => e.imr === 3).length - BOOT_EVENTS;
  }

  eventLog(): EventLogEntry[] {
    return this.events.map((e) => ({ ...e }));
  }

  rtmrs(): Buffer[] {
    return [0, 1, 2, 3].map((imr) => replayRtmr(this.events.filter((e) => e.imr === imr).map((e) => e.digest)));
  }

  mrAggregated(): string {
    return toHex(sha256(Buffer.concat([this.mrtd, ...this.rtmrs()])));
  }

  /** A quote-shaped blob: marker header, TD report body with these measurements and report_data, no signature. */
  quote(reportData: Buffer): Buffer {
    const body = Buffer.alloc(BODY.size);
    this.mrtd.copy(body, BODY.mrtd);
    for (const [i, mr] of this.rtmrs().entries()) mr.copy(body, BODY.rtmr0 + 48 * i);
    reportData.copy(body, BODY.reportData);
    return Buffer.concat([Buffer.from(QUOTE_MARKER, 'latin1'), body, Buffer.from(QUOTE_TRAILER)]);
  }
}

/** report_data padded to 64 bytes, or undefined when longer (dstack's pad64). */
export function pad64(data: Buffer): Buffer | undefined {
  if (data.length > 64) return undefined;
  return Buffer.concat([data, Buffer.alloc(64 - data.length)]);
}

/**
 * Legacy Tappd.TdxQuote report data: `raw` takes ≤64 bytes as they are (padded); any other algorithm
 * hashes "app-data:" ‖ data (or "<prefix>:" ‖ data) and pads. Returns an error string for bad input.
 */
export function tappdReportData(data: Buffer, hashAlgorithm: string, prefix: string): Buffer | string {
  const algorithm = hashAlgorithm || 'sha512';
  if (algorithm === 'raw') return pad64(data) ?? 'Report data is too long (raw report data is at most 64 bytes)';
  const digest = hashByName(algorithm, Buffer.concat([Buffer.from(`${prefix || 'app-data'}:`, 'utf8'), data]));
  if (!digest) return `invalid hash algorithm: ${algorithm}`;
  return pad64(Buffer.from(digest))!;
}
