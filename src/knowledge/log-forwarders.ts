/**
 * Services and logging drivers that let you read or ship logs when the CVM's public log view is off
 * (the checklist: "If you keep logs private, set up a secure log viewer … or forward logs to an
 * external logging service"). `images` match like exporters.ts.
 */
export interface LogForwarderImage {
  product: string;
  images: string[];
  source: string;
}

export const LOG_FORWARDER_IMAGES: LogForwarderImage[] = [
  { product: 'Dozzle', images: ['amir20/dozzle'], source: 'https://dozzle.dev/guide/getting-started' },
  {
    product: 'Vector',
    images: ['timberio/vector'],
    source: 'https://vector.dev/docs/setup/installation/platforms/docker/',
  },
  {
    product: 'Fluent Bit',
    images: ['fluent/fluent-bit', 'bitnami/fluent-bit', 'fluent-bit'],
    source: 'https://docs.fluentbit.io/manual/installation/docker',
  },
  {
    product: 'Fluentd',
    images: ['fluent/fluentd', 'fluentd', 'bitnami/fluentd'],
    source: 'https://docs.fluentd.org/container-deployment/install-by-docker',
  },
  {
    product: 'Promtail',
    images: ['grafana/promtail'],
    source: 'https://grafana.com/docs/loki/latest/send-data/promtail/installation/',
  },
  {
    product: 'Grafana Alloy',
    images: ['grafana/alloy'],
    source: 'https://grafana.com/docs/alloy/latest/set-up/install/docker/',
  },
  { product: 'Grafana Agent', images: ['grafana/agent'], source: 'https://grafana.com/docs/agent/latest/' },
  {
    product: 'OpenTelemetry Collector',
    images: ['otel/opentelemetry-collector-contrib', 'otel/opentelemetry-collector', 'opentelemetry-collector-contrib'],
    source: 'https://opentelemetry.io/docs/collector/ (filelog / docker receivers)',
  },
  {
    product: 'Logspout',
    images: ['gliderlabs/logspout', 'logspout'],
    source: 'https://github.com/gliderlabs/logspout',
  },
  {
    product: 'Filebeat',
    images: ['elastic/filebeat', 'beats/filebeat', 'filebeat'],
    source: 'https://www.elastic.co/guide/en/beats/filebeat/current/running-on-docker.html',
  },
  {
    product: 'Datadog Agent',
    images: ['datadog/agent', 'datadoghq/agent'],
    source: 'https://docs.datadoghq.com/containers/docker/log/',
  },
  {
    product: 'Logdna/Mezmo agent',
    images: ['logdna/logdna-agent', 'mezmo/logdna-agent'],
    source: 'https://docs.mezmo.com/docs/logdna-agent-v3',
  },
  {
    product: 'Sematext Logagent',
    images: ['sematext/logagent'],
    source: 'https://sematext.com/docs/logagent/installation-docker/',
  },
];

/**
 * Docker logging drivers that ship logs off the machine. Since Docker 20.10, dual logging keeps a
 * local copy for `docker logs` unless `cache-disabled` is set (docs.docker.com/engine/logging/dual-logging/).
 */
// loki is a plugin (grafana/loki-docker-driver); it ships logs when installed.
export const REMOTE_LOGGING_DRIVERS = [
  'syslog',
  'gelf',
  'fluentd',
  'awslogs',
  'splunk',
  'gcplogs',
  'logentries',
  'loki',
  'etwlogs',
];

/** Drivers that keep logs where `docker logs` (and so the CVM's /logs view) reads them. */
export const LOCAL_LOGGING_DRIVERS = ['json-file', 'local'];
