/**
 * The DER bytes of one PEM block with the given label (`PRIVATE KEY`, say).
 *
 * @throws Error if the text holds no such block or its body is not base64.
 */
export function pemToDer(pem: string, label: string): Uint8Array<ArrayBuffer> {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  const body = match?.[1]?.replace(/\s+/g, '');
  if (!body) throw new Error(`no PEM block "${label}" found`);
  let binary: string;
  try {
    binary = atob(body);
  } catch (cause) {
    throw new Error(`the PEM block "${label}" is not base64`, { cause });
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
