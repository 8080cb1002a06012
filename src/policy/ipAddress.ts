/**
 * IPv4 and IPv6 addresses as numbers, so ranges compare simply. An IPv4-mapped
 * IPv6 address (`::ffff:10.0.0.1`, how Node reports IPv4 callers on a dual-stack
 * socket) counts as the IPv4 address.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((total, part) => (total << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let head = text;
  let tail4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail4 = ipv4Value(text.slice(lastColon + 1));
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftParts = left === '' ? [] : left.split(':');
  const rightParts = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftParts.length - rightParts.length;
  const groups = [...leftParts, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightParts];
  let value = groups.reduce((total, group) => (total << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
  if (tail4 !== null) value = (value & ~0xffffffffn) | tail4;
  return value;
}

const MAPPED_PREFIX = 0xffffn << 32n;

/** Parses an address; null when it is neither form. */
export function parseIpAddress(text: string): IpAddress | null {
  let address = text.trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  if (isIPv4(address)) return { version: 4, value: ipv4Value(address) };
  if (isIPv6(address)) {
    const value = ipv6Value(address);
    if (value >> 32n === MAPPED_PREFIX >> 32n) return { version: 4, value: value & 0xffffffffn };
    return { version: 6, value };
  }
  return null;
}

/** An address as X-Forwarded-For or a peer gives it, without its port: `1.2.3.4:5678` and `[::1]:80` lose it; a bare IPv6 address is kept whole. */
export function addressWithoutPort(address: string): string {
  if (address.startsWith('[')) {
    const end = address.indexOf(']');
    return end > 0 ? address.slice(1, end) : address;
  }
  // One colon is a port; an IPv6 address has several.
  const colon = address.indexOf(':');
  return colon > 0 && colon === address.lastIndexOf(':') ? address.slice(0, colon) : address;
}
