/**
 * Pure parsing of the `Authorization` header: `Bearer T`, or HTTP basic with the token as password
 * (any username), as git and the CLIs send it.
 */
export function tokenFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  const value = m[2];
  if (scheme === 'bearer') return value === '' ? undefined : value;
  if (scheme === 'basic') {
    let decoded: string;
    try {
      decoded = Buffer.from(value, 'base64').toString('utf8');
    } catch {
      return undefined;
    }
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const password = decoded.slice(colon + 1);
    return password === '' ? undefined : password;
  }
  return undefined;
}
