/** IPv4 addresses as dotted strings, and the default plan: hosts get 10.0.0.1, 10.0.0.2, … in creation order. */

const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(text: string): boolean {
  return ipv4.test(text);
}

/** The n-th default address (n from 1): 10.0.0.1 … 10.0.0.254, 10.0.1.1, … */
export function defaultAddress(n: number): string {
  const hostPart = ((n - 1) % 254) + 1;
  const subnet = Math.floor((n - 1) / 254);
  return `10.0.${subnet % 256}.${hostPart}`;
}

/** Ephemeral port range, Linux default net.ipv4.ip_local_port_range = 32768 60999 (28,232 ports). */
export const EPHEMERAL_PORT_MIN = 32768;
export const EPHEMERAL_PORT_MAX = 60999;

export function isPort(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535;
}
