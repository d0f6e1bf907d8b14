/**
 * HTTPS on the API port (the door of `api/tls`): a self-signed certificate in the data dir and a
 * listener that serves HTTP and HTTPS on the same port with the same handler.
 */
export { ensureCertificate, certificateProblem, wantedSans, type CertificateOptions, type TlsMaterial } from './certificate.js';
export { createApiListener, protocolOf, type ApiListener, type ApiListenerOptions, type Protocol } from './listener.js';

/** The one line that tells git to trust the certificate for this API origin. */
export function gitTrustCommand(origin: string, certPath: string): string {
  return `git config --global http.${origin.replace(/\/?$/, '/')}.sslCAInfo ${certPath}`;
}
