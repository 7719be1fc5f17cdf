/**
 * Password authentication exchanges, with PostgreSQL's message shapes and sizes but stand-in hashes: the
 * simulator needs the round trips and the bytes, not the cryptography, and sim/ may not use node:crypto.
 * The stand-in is 64-bit FNV-1a (sim/core/digest.ts), stretched to the real digest's length, so a wrong
 * password is still refused.
 *
 * md5 (one round trip): AuthenticationMD5Password with a 4-byte salt; the client answers
 * "md5" + 32 hex digits (PostgreSQL: md5(md5(password + user) + salt)).
 * scram-sha-256 (two round trips, RFC 5802/7677 as PostgreSQL uses it): client-first "n,,n=,r=<nonce>";
 * server-first "r=<nonces>,s=<salt>,i=4096"; client-final "c=biws,r=<nonces>,p=<proof>"; server-final
 * "v=<signature>"; then AuthenticationOk.
 */
import { Digest64 } from '../core/digest.js';
import type { RandomStream } from '../core/random.js';

export type PgAuthMethod = 'trust' | 'md5' | 'scram-sha-256';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
/** PostgreSQL's scram_iterations default. */
export const SCRAM_ITERATIONS = 4096;
/** Base64 of 18 random bytes, PostgreSQL's SCRAM_RAW_NONCE_LEN. */
const NONCE_CHARS = 24;
/** Base64 of a 16-byte salt. */
const SALT_CHARS = 24;
/** Base64 of a SHA-256 digest. */
const DIGEST_CHARS = 44;

/** `chars` hex digits derived from `input` (a stand-in for a digest of that length). */
export function standInDigest(input: string, chars: number): string {
  let out = '';
  for (let i = 0; out.length < chars; i++) out += new Digest64().update(`${i}:${input}`).hex();
  return out.slice(0, chars);
}

/** Random printable characters (what a base64 nonce looks like), from `stream`. */
export function randomToken(stream: RandomStream, chars: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < chars; i++) out += alphabet[Math.floor(stream.next() * 64)];
  return out;
}

/** Four salt bytes for AuthenticationMD5Password. */
export function md5Salt(stream: RandomStream): Uint8Array {
  const salt = new Uint8Array(4);
  for (let i = 0; i < 4; i++) salt[i] = Math.floor(stream.next() * 256);
  return salt;
}

/** The PasswordMessage for an md5 challenge: "md5" and 32 hex digits. */
export function md5Response(user: string, password: string, salt: Uint8Array): string {
  const inner = standInDigest(`${password}${user}`, 32);
  return `md5${standInDigest(`${inner}:${Array.from(salt).join(',')}`, 32)}`;
}

export function scramClientFirst(clientNonce: string): string {
  return `n,,n=,r=${clientNonce}`;
}

export function scramServerFirst(clientNonce: string, stream: RandomStream): { message: string; nonce: string; salt: string } {
  const nonce = clientNonce + randomToken(stream, NONCE_CHARS);
  const salt = randomToken(stream, SALT_CHARS);
  return { message: `r=${nonce},s=${salt},i=${SCRAM_ITERATIONS}`, nonce, salt };
}

/** The client-final message for a server-first message, or null if that message is malformed. */
export function scramClientFinal(serverFirst: string, password: string): string | null {
  const m = /^r=([^,]+),s=([^,]+),i=(\d+)$/.exec(serverFirst);
  if (!m) return null;
  const nonce = m[1]!;
  const salt = m[2]!;
  return `c=biws,r=${nonce},p=${scramProof(password, nonce, salt)}`;
}

export function scramProof(password: string, nonce: string, salt: string): string {
  return standInDigest(`proof:${password}:${nonce}:${salt}`, DIGEST_CHARS);
}

export function scramServerFinal(password: string, nonce: string, salt: string): string {
  return `v=${standInDigest(`server:${password}:${nonce}:${salt}`, DIGEST_CHARS)}`;
}

/** The client nonce's length, for clients drawing one. */
export const SCRAM_NONCE_CHARS = NONCE_CHARS;
