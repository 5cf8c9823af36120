/**
 * A JSON body compressed once and answered by Accept-Encoding (br, gzip, identity), with a strong
 * ETag over the uncompressed bytes and 304 on If-None-Match. For answers many clients ask for
 * unchanged: the seat map (per publish) and the seat states (per version).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const br = promisify(brotliCompress);
const gz = promisify(gzip);

export interface EncodedBody {
  etag: string;
  identity: Buffer;
  gzip: Buffer;
  br: Buffer | undefined;
}

/** `brotli`: worth it for big, long-lived bodies (the map); the states are gzip only (cheap, per version). */
export async function encodeBody(json: unknown, opts: { brotli: boolean; etag?: string }): Promise<EncodedBody> {
  const identity = Buffer.from(JSON.stringify(json));
  const etag = opts.etag ?? `"${createHash('sha256').update(identity).digest('base64url').slice(0, 27)}"`;
  const [g, b] = await Promise.all([
    gz(identity, { level: 9 }),
    opts.brotli ? br(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }) : undefined,
  ]);
  return { etag, identity, gzip: g, br: b };
}

function accepts(header: string | undefined, coding: string): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return (name === coding || name === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/** The strong ETag listed in If-None-Match (or `*`). */
export function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag;
  });
}

export function answer(body: EncodedBody, req: { ifNoneMatch: string | undefined; acceptEncoding: string | undefined }, cacheControl: string): Response {
  const headers: Record<string, string> = { etag: body.etag, 'cache-control': cacheControl, vary: 'Accept-Encoding' };
  if (matches(req.ifNoneMatch, body.etag)) return new Response(null, { status: 304, headers });
  let bytes = body.identity;
  if (body.br && accepts(req.acceptEncoding, 'br')) { bytes = body.br; headers['content-encoding'] = 'br'; }
  else if (accepts(req.acceptEncoding, 'gzip')) { bytes = body.gzip; headers['content-encoding'] = 'gzip'; }
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(bytes.length);
  return new Response(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { status: 200, headers });
}
