/**
 * The normalised compose model rules read (after interpolation, `extends`, merging and profiles).
 * Short syntaxes are in their long forms (see normalize.ts); anything else is as written.
 */
export type EnvValue = string | number | boolean | null;

export interface ServiceVolume {
  type: 'volume' | 'bind' | 'tmpfs' | 'npipe' | 'cluster' | 'image' | string;
  source?: string;
  target: string;
  read_only?: boolean;
  mode?: string;
  volume?: { nocopy?: boolean; subpath?: string };
  bind?: { create_host_path?: boolean; propagation?: string };
  tmpfs?: { size?: string | number; mode?: number };
}

export interface ServicePort {
  target: string | number;
  published?: string | number;
  host_ip?: string;
  protocol?: string;
  mode?: string;
}

export interface Healthcheck {
  test?: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  start_period?: string;
  start_interval?: string;
  disable?: boolean;
}

export interface Service {
  image?: string;
  build?: {
    context?: string;
    dockerfile?: string;
    dockerfile_inline?: string;
    args?: Record<string, EnvValue> | string[];
    secrets?: unknown[];
  };
  command?: string | string[] | null;
  entrypoint?: string | string[] | null;
  environment?: Record<string, EnvValue>;
  env_file?: { path: string; required?: boolean }[];
  volumes?: ServiceVolume[];
  ports?: ServicePort[];
  expose?: (string | number)[];
  healthcheck?: Healthcheck;
  restart?: string;
  depends_on?: Record<string, { condition?: string; required?: boolean; restart?: boolean }>;
  labels?: Record<string, EnvValue>;
  stop_grace_period?: string;
  stop_signal?: string;
  init?: boolean;
  user?: string;
  privileged?: boolean;
  cap_add?: string[];
  pid?: string;
  ipc?: string;
  network_mode?: string;
  tmpfs?: string[];
  logging?: { driver?: string; options?: Record<string, unknown> };
  secrets?: { source: string; target?: string }[];
  configs?: { source: string; target?: string }[];
  profiles?: string[];
  pull_policy?: string;
  devices?: unknown[];
  security_opt?: string[];
  deploy?: { replicas?: number; resources?: unknown; restart_policy?: { condition?: string } };
  [key: string]: unknown;
}

export interface TopLevelVolume {
  name?: string;
  external?: boolean | { name?: string };
  driver?: string;
  driver_opts?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface ComposeModel {
  name?: string;
  services?: Record<string, Service>;
  volumes?: Record<string, TopLevelVolume>;
  networks?: Record<string, unknown>;
  secrets?: Record<string, { file?: string; environment?: string; external?: boolean; content?: string }>;
  configs?: Record<string, { file?: string; content?: string; environment?: string; external?: boolean }>;
  [key: string]: unknown;
}
