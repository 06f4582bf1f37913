/**
 * Images that export or collect metrics of the CVM or the app (the checklist: "Include a metrics
 * exporter (such as Prometheus Node Exporter) as a sidecar container"). `images` match an image's
 * repository path without registry (`prom/node-exporter`) or its last segment (`node-exporter`).
 */
export interface ExporterImage {
  product: string;
  images: string[];
  /** Host-metrics exporter whose documented setup uses the host's namespaces and a read-only root mount. */
  hostExporter?: boolean;
  source: string;
}

export const EXPORTER_IMAGES: ExporterImage[] = [
  {
    product: 'Prometheus Node Exporter',
    images: [
      'prom/node-exporter',
      'prometheus/node-exporter',
      'node-exporter',
      'bitnami/node-exporter',
      'bitnami/node_exporter',
      'node_exporter',
    ],
    hostExporter: true,
    source: 'https://github.com/prometheus/node_exporter#docker (pid: host, network_mode: host, /:/host:ro,rslave)',
  },
  {
    product: 'cAdvisor',
    images: ['cadvisor/cadvisor', 'google/cadvisor', 'cadvisor', 'bitnami/cadvisor'],
    source: 'https://github.com/google/cadvisor#quick-start-running-cadvisor-in-a-docker-container',
  },
  {
    product: 'OpenTelemetry Collector',
    images: [
      'otel/opentelemetry-collector',
      'otel/opentelemetry-collector-contrib',
      'otel/opentelemetry-collector-k8s',
      'opentelemetry-collector',
      'opentelemetry-collector-contrib',
    ],
    source: 'https://opentelemetry.io/docs/collector/installation/#docker',
  },
  {
    product: 'Grafana Alloy',
    images: ['grafana/alloy'],
    source: 'https://grafana.com/docs/alloy/latest/set-up/install/docker/',
  },
  {
    product: 'Grafana Agent',
    images: ['grafana/agent'],
    source: 'https://grafana.com/docs/agent/latest/ (deprecated for Alloy, still a collector)',
  },
  { product: 'Telegraf', images: ['telegraf'], source: 'https://hub.docker.com/_/telegraf' },
  {
    product: 'Netdata',
    images: ['netdata/netdata'],
    source: 'https://learn.netdata.cloud/docs/netdata-agent/installation/docker',
  },
  {
    product: 'Datadog Agent',
    images: ['datadog/agent', 'datadoghq/agent'],
    source: 'https://docs.datadoghq.com/containers/docker/',
  },
  {
    product: 'VictoriaMetrics vmagent',
    images: ['victoriametrics/vmagent'],
    source: 'https://docs.victoriametrics.com/vmagent/',
  },
  {
    product: 'New Relic infrastructure agent',
    images: ['newrelic/infrastructure'],
    source:
      'https://docs.newrelic.com/docs/infrastructure/install-infrastructure-agent/linux-installation/docker-cont' +
      'ainer-infrastructure-monitoring/',
  },
  {
    product: 'Elastic Metricbeat',
    images: ['elastic/metricbeat', 'beats/metricbeat', 'metricbeat'],
    source: 'https://www.elastic.co/guide/en/beats/metricbeat/current/running-on-docker.html',
  },
];

/**
 * Prometheus exporters are named `<thing>-exporter` / `<thing>_exporter` by convention
 * (prometheus.io/docs/instrumenting/exporters).
 */
export const PROMETHEUS_EXPORTER_NAME = /[-_]exporter$/;
