import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadProject, type Project } from '../../compose/project.js';
import { Catalogue } from '../../findings/catalogue.js';
import type { Finding } from '../../findings/types.js';
import { runRules } from '../engine.js';
import { CHECK_RULE_METAS } from '../index.js';
import { restartPolicy } from '../restart/restart-policy.js';
import { dedent } from '../rule-tester.js';
import { exemptionFindings, unusedSuppression } from './unused-suppression.js';

/**
 * Must-fire and must-not-fire cases of unused-suppression, probed with one real rule
 * (restart-policy: a long-running service without a restart policy). Unknown ids need the
 * catalogue, which `check` passes; here it is the check rules plus one id of another command.
 */
const catalogue = new Catalogue([
  ...CHECK_RULE_METAS,
  { ...CHECK_RULE_METAS[0]!, id: 'volume-removed', source: 'diff' },
  { ...CHECK_RULE_METAS[0]!, id: 'secret-dropped', source: 'secrets' },
]);
const RULES = [restartPolicy, unusedSuppression];
const root = mkdtempSync(join(tmpdir(), 'preflight-unused-suppression-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function project(compose: string, config?: string): Project {
  const dir = join(root, `p${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'compose.yaml'), dedent(compose));
  if (config !== undefined) writeFileSync(join(dir, '.preflight.yml'), dedent(config));
  return loadProject({ dir, files: [join(dir, 'compose.yaml')], kind: 'compose' }, { cwd: dir, catalogue });
}

const own = (findings: Finding[]) =>
  findings.filter((f) => f.ruleId === unusedSuppression.id).map((f) => `${f.line}:${f.column} ${f.message}`);

const NO_RESTART = `
  services:
    web: # preflight-ignore restart-policy -- a one-shot job in disguise
      image: nginx:1.27
`;

describe(`rule ${unusedSuppression.id}`, () => {
  describe('inline directives', () => {
    it('must fire: an unknown rule id, at the directive, whatever the flag says', () => {
      const p = project(`
        services:
          web:
            image: nginx:1.27 # preflight-ignore restart-polciy,restart-policy -- typo
      `);
      assert.deepEqual(own(runRules(p, RULES).findings), [
        '3:23 preflight-ignore names unknown rule "restart-polciy"; it suppresses nothing (`preflight rules` ' +
          'lists the ids)',
      ]);
    });

    it('must fire: an id only a command that does not read inline directives reports (secrets plan)', () => {
      const p = project(`
        services:
          web: # preflight-ignore secret-dropped -- rotated on purpose
            image: nginx:1.27
            restart: always
      `);
      assert.match(own(runRules(p, RULES).findings)[0]!, /reported by `preflight secrets`, which does not read inline/);
    });

    it('must not fire: a diff rule id (diff reads the directives of the new compose file)', () => {
      const p = project(`
        services:
          web: # preflight-ignore volume-removed -- data moved on purpose
            image: nginx:1.27
            restart: always
      `);
      assert.deepEqual(own(runRules(p, RULES, { reportUnusedSuppressions: true }).findings), []);
    });

    it('must fire with reportUnusedSuppressions: a directive that silenced nothing', () => {
      const p = project(`
        services:
          web:
            image: nginx:1.27 # preflight-ignore restart-policy -- left over
            restart: always
      `);
      assert.deepEqual(own(runRules(p, RULES).findings), [], 'not without the option');
      assert.deepEqual(own(runRules(p, RULES, { reportUnusedSuppressions: true }).findings), [
        '3:23 preflight-ignore restart-policy suppressed nothing: there is no restart-policy finding on this ' +
          'line or the next',
      ]);
    });

    it('must not fire: a directive that suppressed its finding, or names a rule that did not run', () => {
      assert.deepEqual(own(runRules(project(NO_RESTART), RULES, { reportUnusedSuppressions: true }).findings), []);
      const off = project(NO_RESTART.replace('restart-policy', 'image-no-digest'), 'rules:\n  image-no-digest: off\n');
      const r = runRules(off, RULES, { reportUnusedSuppressions: true });
      assert.deepEqual(own(r.findings), [], 'image-no-digest is off (and not among the rules run)');
    });

    it('must not fire: a directive without a reason (suppression-without-reason reports it)', () => {
      const p = project(`
        services:
          web:
            image: nginx:1.27 # preflight-ignore restart-policy
            restart: always
      `);
      assert.deepEqual(own(runRules(p, RULES, { reportUnusedSuppressions: true }).findings), []);
    });
  });

  describe('exemptions (judged across every project that reads the configuration)', () => {
    const CONFIG = `
      exemptions:
        - rule: restart-policy
          service: wbe
          reason: typo in the service name
        - rule: restart-policy
          service: web
          reason: restarted by the pre-launch script
    `;
    const use = (p: Project) => {
      const r = runRules(p, RULES);
      return {
        services: new Set(Object.keys(p.model.services ?? {})),
        use: r.use,
        ran: r.ran,
      };
    };

    it('must fire: a service that no project defines, at the service value, always', () => {
      const p = project(NO_RESTART.replace(/ #.*/, ''), CONFIG);
      const found = exemptionFindings(p.config, [use(p)], { reportUnused: false, severity: 'warning' });
      assert.deepEqual(
        found.map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`),
        [
          '.preflight.yml:3:14 exemption of restart-policy names service "wbe", which no compose file checked ' +
            'with this configuration defines; it suppresses nothing',
        ],
      );
    });

    it('must fire with reportUnused: an exemption that suppressed nothing in any project', () => {
      const p = project(
        NO_RESTART.replace(/ #.*/, '').replace('nginx:1.27', 'nginx:1.27\n      restart: always'),
        CONFIG,
      );
      const found = exemptionFindings(p.config, [use(p)], { reportUnused: true, severity: 'warning' });
      assert.deepEqual(
        found.map((f) => `${f.line} ${f.message}`),
        [
          '3 exemption of restart-policy names service "wbe", which no compose file checked with this ' +
            'configuration defines; it suppresses nothing',
          '5 exemption of restart-policy for service "web" suppressed nothing: no such finding in this run',
        ],
      );
    });

    it('must not fire: the service exists in, and the exemption was used by, one of the projects', () => {
      const a = project(NO_RESTART.replace(/ #.*/, ''), CONFIG);
      const b = project('services:\n  wbe: { image: nginx:1.27, restart: always }\n', CONFIG);
      const found = exemptionFindings(a.config, [use(a), use(b)], { reportUnused: true, severity: 'warning' });
      assert.deepEqual(
        found.map((f) => f.message),
        ['exemption of restart-policy for service "wbe" suppressed nothing: no such finding in this run'],
        'wbe exists in b (so it is not unknown), but has a restart policy there',
      );
    });
  });
});
