/** Metadata is returned with every verification: kept small so it costs the answer little. */
export const MAX_METADATA_BYTES = 4096;
const MAX_DEPTH = 8;

export type MetadataCheck = { ok: true; metadata: Record<string, unknown> } | { ok: false; error: string };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  for (const item of Object.values(value)) deepest = Math.max(deepest, depthOf(item));
  return deepest + 1;
}

/** A token's metadata: a JSON object of at most 4 KB (as UTF-8 JSON), nested at most 8 deep. */
export function checkMetadata(value: unknown): MetadataCheck {
  if (!isPlainObject(value)) return { ok: false, error: 'metadata must be a JSON object' };
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_METADATA_BYTES)
    return { ok: false, error: `metadata is ${bytes} bytes as JSON; at most ${MAX_METADATA_BYTES}` };
  if (depthOf(value) > MAX_DEPTH) return { ok: false, error: `metadata nests deeper than ${MAX_DEPTH}` };
  return { ok: true, metadata: JSON.parse(text) as Record<string, unknown> };
}

/** Metadata as one HTTP header value: JSON with every non-ASCII character escaped. */
export function metadataHeaderValue(metadata: Record<string, unknown>): string {
  return JSON.stringify(metadata).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
