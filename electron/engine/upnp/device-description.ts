/**
 * UPnP device description (UPnP Device Architecture 1.1 §2.3): the root device's identity and
 * every service of the device tree. Control URLs are resolved against URLBase / the LOCATION and
 * must stay on the device's own host: a description that points elsewhere is refused.
 */
import { child, children, parseXml, text, type XmlNode } from './xml.ts';

export interface UpnpServiceInfo {
  serviceType: string;
  serviceId: string | null;
  controlUrl: URL;
}

export interface DeviceDescription {
  deviceType: string | null;
  friendlyName: string | null;
  manufacturer: string | null;
  modelName: string | null;
  modelNumber: string | null;
  udn: string | null;
  /** 1 or 2 from the root deviceType urn:…:InternetGatewayDevice:N, else null. */
  igdVersion: 1 | 2 | null;
  services: UpnpServiceInfo[];
  /** Services dropped (control URL on another host, unparsable URL). */
  warnings: string[];
}

const MAX_DEVICES = 32;
const MAX_SERVICES = 64;

export function parseDeviceDescription(xml: string, location: URL): DeviceDescription {
  const doc = parseXml(xml);
  const root = child(doc, 'root');
  if (!root) throw new Error('device description has no <root> element');
  const device = child(root, 'device');
  if (!device) throw new Error('device description has no <device> element');
  const urlBaseText = text(root, 'URLBase');
  let base = location;
  const warnings: string[] = [];
  if (urlBaseText) {
    try {
      base = new URL(urlBaseText, location);
    } catch {
      warnings.push(`URLBase "${urlBaseText.slice(0, 80)}" is not a URL; using the LOCATION`);
    }
  }
  const deviceType = text(device, 'deviceType');
  const igd = /:device:InternetGatewayDevice:(\d+)$/.exec(deviceType ?? '');
  const services: UpnpServiceInfo[] = [];
  // Breadth-first over the embedded devices, capped (a hostile description could nest deeply).
  const queue: XmlNode[] = [device];
  let visited = 0;
  while (queue.length > 0 && visited < MAX_DEVICES) {
    const d = queue.shift()!;
    visited++;
    for (const s of children(child(d, 'serviceList'), 'service')) {
      if (services.length >= MAX_SERVICES) break;
      const serviceType = text(s, 'serviceType');
      const control = text(s, 'controlURL');
      if (!serviceType || !control) continue;
      let controlUrl: URL;
      try {
        controlUrl = new URL(control, base);
      } catch {
        warnings.push(`${serviceType}: control URL "${control.slice(0, 80)}" is not a URL`);
        continue;
      }
      if (controlUrl.protocol !== 'http:' || controlUrl.hostname !== location.hostname) {
        warnings.push(
          `${serviceType}: control URL ${controlUrl.href.slice(0, 100)} is not on the device ${location.hostname}; ignored`,
        );
        continue;
      }
      services.push({ serviceType, serviceId: text(s, 'serviceId'), controlUrl });
    }
    queue.push(...children(child(d, 'deviceList'), 'device'));
  }
  return {
    deviceType,
    friendlyName: text(device, 'friendlyName'),
    manufacturer: text(device, 'manufacturer'),
    modelName: text(device, 'modelName'),
    modelNumber: text(device, 'modelNumber'),
    udn: text(device, 'UDN'),
    igdVersion: igd ? (igd[1] === '1' ? 1 : igd[1] === '2' ? 2 : null) : null,
    services,
    warnings,
  };
}

/** WANIPConnection / WANPPPConnection of any vendor namespace (urn:schemas-upnp-org, urn:dslforum-org, …). */
export function isWanConnectionService(serviceType: string): boolean {
  return /^urn:[^:]+:service:WAN(IP|PPP)Connection:\d+$/.test(serviceType);
}

/** Service version N of "...:N". */
export function serviceVersion(serviceType: string): number {
  const m = /:(\d+)$/.exec(serviceType);
  return m ? Number(m[1]) : 1;
}
