import { preflightCatalogue } from '../../src/commands/catalogue.js';
import { catalogueLookup } from '../../src/report/rule-meta.js';

/** Preflight's catalogue, and the lookup renderers take, for tests that render reports. */
export const catalogue = preflightCatalogue();
export const meta = catalogueLookup(catalogue);
export const ruleMeta = meta;
