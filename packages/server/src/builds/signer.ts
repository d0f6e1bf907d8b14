/** Unguessable public URLs: an HMAC of a namespaced id, as Heroku's output and upload URLs carry tokens. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Signer {
  sign(ns: string, id: string): string;
  verify(ns: string, id: string, sig: string): boolean;
}

export function createSigner(secret: string): Signer {
  const sign = (ns: string, id: string) => createHmac('sha256', secret).update(`${ns}:${id}`).digest('hex').slice(0, 32);
  return {
    sign,
    verify(ns, id, sig) {
      const want = Buffer.from(sign(ns, id));
      const got = Buffer.from(sig);
      return want.length === got.length && timingSafeEqual(want, got);
    },
  };
}
