import { diffPaths as diffLocal, type DiffOptions, type DiffResult } from '../diff/index.js';
import type { CvmDiffOptions } from '../diff/cvm.js';
import { preflightCatalogue } from './catalogue.js';

export type { DiffOptions, DiffResult };

/** `preflight diff OLD NEW`: what an upgrade from OLD to NEW puts at risk. */
export function diff(oldPath: string, newPath: string, opts: DiffOptions = {}): DiffResult {
  return diffLocal(oldPath, newPath, { catalogue: preflightCatalogue(), ...opts });
}

/** `preflight diff --cvm ID NEW`: OLD is what the CVM runs now, read through the Phala Cloud API. */
export async function diffCvm(cvm: string, newPath: string, opts: CvmDiffOptions = {}): Promise<DiffResult> {
  // Loaded only here: the cloud SDK is not needed to diff two local projects.
  const { diffCvm: fromCloud } = await import('../diff/cvm.js');
  return fromCloud(cvm, newPath, { catalogue: preflightCatalogue(), ...opts });
}
