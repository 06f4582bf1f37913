import type { Service } from '../../compose/types.js';
import { EXPORTER_IMAGES, PROMETHEUS_EXPORTER_NAME } from '../../knowledge/exporters.js';
import { LOG_FORWARDER_IMAGES, REMOTE_LOGGING_DRIVERS } from '../../knowledge/log-forwarders.js';
import { matchImage, parseImage } from '../../knowledge/image.js';

/** What makes a service a metrics exporter or collector, if it is one (product name). */
export function metricsExporter(svc: Service): string | undefined {
  const entry = matchImage(EXPORTER_IMAGES, svc.image);
  if (entry) return entry.product;
  if (svc.image && PROMETHEUS_EXPORTER_NAME.test(parseImage(svc.image).name.toLowerCase()))
    return 'Prometheus exporter';
  return undefined;
}

/** What makes a service a log viewer or forwarder, or ships its logs off the CVM, if anything. */
export function logForwarder(svc: Service): string | undefined {
  const entry = matchImage(LOG_FORWARDER_IMAGES, svc.image);
  if (entry) return entry.product;
  const driver = svc.logging?.driver?.toLowerCase();
  if (driver && REMOTE_LOGGING_DRIVERS.includes(driver)) return `logging driver ${driver}`;
  return undefined;
}
