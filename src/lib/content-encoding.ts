import { brotliCompressSync, constants, deflateSync, gzipSync } from 'node:zlib';
import { negotiate } from '@fastify/accept-negotiator';
import type { FastifyRequest } from 'fastify';

export type Encoding = 'br' | 'gzip' | 'deflate';

/**
 * How bodies are compressed: by @fastify/compress for every response (src/plugins/http-cache.ts),
 * and once per cached results body (src/plugins/results-cache.ts). Quality 4: most of brotli's
 * gain for a fraction of the default (11)'s CPU.
 */
export const COMPRESSION = {
  /** Bodies smaller than this are sent as they are. */
  threshold: 1024,
  /** In order of preference when a client accepts several equally. */
  encodings: ['br', 'gzip', 'deflate'] as Encoding[],
  brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
};

/**
 * The encoding @fastify/compress would choose for this request (the same negotiator, the same
 * aliases: `*` and `x-gzip` mean gzip; none with `x-no-compression`), or undefined for none.
 */
export function acceptedEncoding(request: FastifyRequest): Encoding | undefined {
  const header = request.headers['accept-encoding'];
  if (!header || request.headers['x-no-compression'] !== undefined) return undefined;
  return negotiate(header.toLowerCase().replace(/\*|x-gzip/g, 'gzip'), COMPRESSION.encodings) ?? undefined;
}

export function compressSync(body: Buffer, encoding: Encoding): Buffer {
  if (encoding === 'br') return brotliCompressSync(body, COMPRESSION.brotliOptions);
  return encoding === 'gzip' ? gzipSync(body) : deflateSync(body);
}
