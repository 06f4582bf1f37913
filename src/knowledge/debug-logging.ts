/**
 * Settings that turn on debug or verbose logging. Debug logs often carry request bodies, headers,
 * tokens and SQL; with public logs on (Phala Cloud's default) anyone can read them at the guest's
 * `/logs/<container>` (docs/platform.md#logs-and-sysinfo, app-compose.json `public_logs`).
 */
export interface DebugEnvSetting {
  /** Environment variable names (exact) or a pattern over the name. */
  key: string | RegExp;
  /** Values (case-insensitive) that turn debug logging on. */
  value: RegExp;
  source: string;
}

const DEBUG_LEVEL = /^(debug|trace|verbose|all|silly|finest)$/i;

export const DEBUG_ENV: DebugEnvSetting[] = [
  {
    key: /^([A-Z0-9]+_)*LOG_?LEVEL(_[A-Z0-9]+)*$/i,
    value: DEBUG_LEVEL,
    source: 'common convention (LOG_LEVEL, LOGLEVEL, APP_LOG_LEVEL, LOG_LEVEL_ROOT…)',
  },
  {
    key: /^([A-Z0-9]+_)*LOGGING_LEVEL(_[A-Z0-9]+)*$/i,
    value: DEBUG_LEVEL,
    source: 'Spring Boot LOGGING_LEVEL_ROOT and similar',
  },
  {
    key: 'DEBUG',
    value: /^(1|true|yes|on|[\w.:,-]*\*[\w.:*,-]*|[\w.-]+:[\w.:*,-]+)$/i,
    source: 'generic DEBUG flag; the npm `debug` module enables namespaces like `app:*` (github.com/debug-js/debug)',
  },
  {
    key: 'RUST_LOG',
    value: /(^|[,=])(debug|trace)($|,)/i,
    source: 'env_logger / tracing-subscriber filter syntax (docs.rs/env_logger)',
  },
  {
    key: 'NODE_ENV',
    value: /^development$/i,
    source: 'Express and many Node frameworks log verbosely and show stack traces in development',
  },
  { key: 'FLASK_DEBUG', value: /^(1|true)$/i, source: 'https://flask.palletsprojects.com/en/stable/config/#DEBUG' },
  { key: 'FLASK_ENV', value: /^development$/i, source: 'Flask < 2.3 debug mode' },
  { key: 'DJANGO_DEBUG', value: /^(1|true|yes|on)$/i, source: 'common Django settings convention for DEBUG' },
  { key: 'APP_DEBUG', value: /^(1|true)$/i, source: 'Laravel APP_DEBUG (laravel.com/docs/configuration#debug-mode)' },
  { key: 'RAILS_ENV', value: /^development$/i, source: 'Rails development environment logs at debug level' },
  {
    key: 'ASPNETCORE_ENVIRONMENT',
    value: /^development$/i,
    source: 'ASP.NET Core developer exception page and verbose logging',
  },
  {
    key: 'GIN_MODE',
    value: /^debug$/i,
    source: 'https://gin-gonic.com/docs/ (GIN_MODE=debug is the default; release turns it off)',
  },
  { key: /^([A-Z0-9]+_)*VERBOSE$/i, value: /^(1|true|yes|on)$/i, source: 'generic VERBOSE flag' },
];

/** Command-line flags that turn on debug logging (in command or entrypoint). */
export const DEBUG_FLAGS: { pattern: RegExp; source: string }[] = [
  { pattern: /^--debug(=(true|1))?$/i, source: 'generic --debug flag' },
  { pattern: /^--verbose$/i, source: 'generic --verbose flag' },
  { pattern: /^-vvv*$/, source: 'repeated -v verbosity' },
  {
    pattern: /^--?(log[-_.]?level|loglevel|log\.level|v)=(debug|trace|verbose|all)$/i,
    source: '--log-level=debug (uvicorn, gunicorn, traefik --log.level, …)',
  },
];

/** Flags that take the level as the next argument: `--log-level debug`. */
export const DEBUG_LEVEL_FLAGS = /^--?(log[-_.]?level|loglevel|log\.level)$/i;
export const DEBUG_LEVEL_VALUE = /^(debug|trace|verbose|all)$/i;
