import { BlockList, isIP } from 'node:net';

/**
 * Addresses a health probe must not reach unless its target says so: what answers there is the
 * machine slipway runs on (instance metadata and credentials), not the service being deployed.
 * BlockList also matches the IPv4-mapped IPv6 forms (::ffff:169.254.169.254) of the IPv4 ranges.
 */
const LINK_LOCAL = new BlockList();
// IPv4 link-local: EC2 instance metadata (169.254.169.254), ECS task credentials (169.254.170.2), …
LINK_LOCAL.addSubnet('169.254.0.0', 16, 'ipv4');
// The deprecated IPv4-compatible form ::169.254.x.y, which BlockList does not map.
LINK_LOCAL.addSubnet('::a9fe:0', 112, 'ipv6');
// IPv6 link-local.
LINK_LOCAL.addSubnet('fe80::', 10, 'ipv6');
// EC2 instance metadata over IPv6 (Nitro instances).
LINK_LOCAL.addAddress('fd00:ec2::254', 'ipv6');

/**
 * Why a probe must not go to this host, or undefined when it may. `host` is a URL's hostname (the
 * WHATWG parser already turned 2852039166, 0xa9fea9fe or 169.254.43518 into 169.254.169.254, and
 * IPv6 into bracketed, compressed form) or an address a resolver answered. Host names are not
 * resolved here: the probe checks what they resolve to when it connects.
 */
export function linkLocalReason(host: string): string | undefined {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const address = bare.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) is not part of the address
  const family = isIP(address);
  if (family === 0) return undefined;
  return LINK_LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6') ? `${address} is a link-local or instance metadata address` : undefined;
}
