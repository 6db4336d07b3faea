/**
 * Import options as S3 user metadata, and S3's budget for it. No zod here: the upload page uses
 * this module to measure a mapping before it asks for a grant, with the same arithmetic as the API.
 */

/** S3 refuses more than 2 KB of user metadata: the UTF-8 bytes of every name and value, summed. */
export const MAX_METADATA_BYTES = 2048;

/**
 * What the grant adds to the options' metadata at most: `import-id` (a UUID) and `uploader` (the
 * caller's path segment, at most 64 characters). The page does not know the caller, so it counts the most.
 */
export const GRANT_METADATA_RESERVE = 'import-id'.length + 36 + 'uploader'.length + 64;

/**
 * Options as S3 metadata. Metadata travels as HTTP headers (and is signed by SigV4), so values stay
 * printable ASCII: a tab delimiter is spelled `tab`, and JSON values (the mapping) escape every other
 * character, spaces included, as `\uXXXX` (still the same JSON).
 */
export function optionsToMetadata(options: Readonly<Record<string, unknown>>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const key = name.replaceAll('_', '-');
    const text = typeof value === 'object' ? JSON.stringify(value) : value === '\t' ? 'tab' : String(value);
    metadata[key] = text.replace(/[^\x21-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  return metadata;
}

/** The bytes S3 counts against MAX_METADATA_BYTES (names without the `x-amz-meta-` prefix). */
export function metadataBytes(metadata: Readonly<Record<string, string>>): number {
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata))
    bytes += encoder.encode(name).length + encoder.encode(value).length;
  return bytes;
}
