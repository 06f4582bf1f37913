import { initScripts } from '../../compose/deployment.js';
import type { Rule } from '../types.js';

/** The highest manifest_version a guest accepts (dstack main; v0.5.11 has no such field version). */
export const MAX_MANIFEST_VERSION = 3;

export const manifestVersionRequired: Rule = {
  id: 'manifest-version-required',
  section: 'platform',
  severity: 'error',
  title: 'A version-3 manifest field without `manifest_version: "3"`, or a manifest_version the guest refuses',
  rationale:
    'dstack main refuses to boot a manifest that uses `requirements`, more than one `init_script` or the ' +
    '`nerdctl-compose` runner with a manifest_version below 3, and any manifest_version above 3; a number is ' +
    'accepted only for 1 and 2, newer versions are written as a string. The string form exists so a v0.5.x ' +
    'guest, whose manifest_version is an integer, fails to parse the manifest instead of booting without the ' +
    "requirements it cannot check (docs/platform.md#newer-manifest-fields). Phala Cloud's API client " +
    '(`@phala/cloud` 0.2.9) types manifest_version as a number, so such a manifest deploys only to self-hosted ' +
    'dstack.',
  fixHint:
    'Write `"manifest_version": "3"` (a string) when the manifest uses requirements, several init scripts or ' +
    'nerdctl-compose; otherwise drop those fields and keep 2.',
  example: {
    file: 'app-compose.json',
    bad: `{
  "manifest_version": 2,
  "name": "shop",
  "runner": "docker-compose",
  "docker_compose_file": "services:\\n  web:\\n    image: ghcr.io/acme/shop:1.4.2\\n    restart: unless-stopped\\n",
  "requirements": {
    "os_version": ">=0.6.0"
  }
}
`,
    good: `{
  "manifest_version": "3",
  "name": "shop",
  "runner": "docker-compose",
  "docker_compose_file": "services:\\n  web:\\n    image: ghcr.io/acme/shop:1.4.2\\n    restart: unless-stopped\\n",
  "requirements": {
    "os_version": ">=0.6.0"
  }
}
`,
  },
  check(ctx) {
    const d = ctx.deployment;
    if (ctx.project.deployment.source === 'phala-cloud-defaults') return;
    const mv = d.manifest_version;
    const version = typeof mv === 'number' ? mv : typeof mv === 'string' ? Number(mv.trim()) : undefined;
    const at = (field: string) => ({ loc: ctx.deploymentLocation(field) });

    if (typeof mv === 'string' && !/^[1-9]\d*$/.test(mv.trim())) {
      ctx.report({
        ...at('manifest_version'),
        message:
          `manifest_version ${JSON.stringify(mv)} is not a canonical integer string: dstack main refuses the ` +
          `manifest`,
      });
      return;
    }
    if (version !== undefined && version > MAX_MANIFEST_VERSION) {
      ctx.report({
        ...at('manifest_version'),
        message:
          `manifest_version ${JSON.stringify(mv)} is above ${MAX_MANIFEST_VERSION}, the highest a guest accepts: ` +
          `the boot fails ("Unsupported manifest_version")`,
      });
      return;
    }
    if (typeof mv === 'number' && mv >= 3) {
      ctx.report({
        ...at('manifest_version'),
        message:
          `manifest_version ${mv} is a number: dstack main takes numbers only for 1 and 2 and refuses the ` +
          `manifest, and v0.5.x boots it ignoring the newer fields; write the string "${mv}"`,
      });
      return;
    }

    if (version !== undefined && version >= 3) return;
    const is = mv === undefined ? 'not set' : JSON.stringify(mv);
    const refused = `manifest_version "3" (a string) is required, but it is ${is}: dstack main refuses to boot it`;
    if (d.requirements !== undefined)
      ctx.report({
        ...at('requirements'),
        message: `requirements: ${refused}, and a v0.5.x guest would boot without checking them`,
      });
    if (d.runner === 'nerdctl-compose') ctx.report({ ...at('runner'), message: `runner nerdctl-compose: ${refused}` });
    const scripts = initScripts(d);
    if (scripts.length > 1)
      ctx.report({
        ...at('init_script'),
        message: `${scripts.length} init scripts: ${refused} (v0.5.11 takes one script)`,
      });
  },
};
