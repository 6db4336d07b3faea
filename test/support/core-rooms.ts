/**
 * The rooms of functions/core and which rooms each may import: lower rooms never import higher
 * ones, so the engine is the only room that sees them all. The README's architecture section shows
 * the same table; test/unit/core-purity enforces it.
 */
export const CORE_ROOMS = {
  /** Character classes the tokenizers and the byte path share. */
  text: ['text'],
  /** What the rest of the system imports: errors, options, result, columns, keys, rule sets. */
  contract: ['contract', 'text'],
  /** Bytes to records: decoding, delimiter, the two tokenizers, header mapping. */
  parse: ['parse', 'contract', 'text'],
  /** COPY BINARY rows and the arena they are written into. */
  copy: ['copy', 'contract', 'text'],
  /** Records to leads: the text and byte row writers, validation, normalization, keys. */
  rows: ['rows', 'parse', 'copy', 'contract', 'text'],
  /** A rule set compiled into the row check that rows defines. */
  rules: ['rules', 'rows', 'contract', 'text'],
  /** The pipeline that wires them: bytes in, COPY rows and row reports out. */
  engine: ['engine', 'rules', 'rows', 'parse', 'copy', 'contract', 'text'],
} as const satisfies Record<string, readonly string[]>;

type Room = keyof typeof CORE_ROOMS;

export interface CoreImport {
  /** Path under functions/core, e.g. `rows/fast-row.ts`. */
  file: string;
  specifier: string;
}

/** Packages core may use: pure computation, no I/O. */
const PURE_PACKAGES = /^(zod|re2js|libphonenumber-js(\/.*)?)$/;
/** Node built-ins core may use: pure helpers with no I/O, threads or process state. */
const PURE_BUILTINS = new Set(['node:buffer']);

const isRoom = (name: string | undefined): name is Room => name !== undefined && Object.hasOwn(CORE_ROOMS, name);

/** The room a core specifier points into, 'outside' when it leaves core, undefined for a package. */
function targetRoom(file: string, specifier: string): Room | 'outside' | undefined {
  const own = file.split('/')[0];
  if (specifier.startsWith('#core/')) {
    const room = specifier.split('/')[1];
    return isRoom(room) ? room : 'outside';
  }
  if (specifier.startsWith('./')) return isRoom(own) && !specifier.slice(2).includes('/') ? own : 'outside';
  if (specifier.startsWith('../')) {
    const parts = specifier.split('/');
    return parts.length === 3 && isRoom(parts[1]) ? parts[1] : 'outside';
  }
  if (specifier.startsWith('#') || specifier.startsWith('/')) return 'outside';
  return undefined;
}

/** One line per import that breaks the rules; empty when all keep them. */
export function coreImportOffences(imports: readonly CoreImport[]): string[] {
  const offences: string[] = [];
  for (const { file, specifier } of imports) {
    const own = file.split('/')[0];
    const target = targetRoom(file, specifier);
    if (target === undefined) {
      if (!PURE_PACKAGES.test(specifier) && !PURE_BUILTINS.has(specifier))
        offences.push(`${file} imports ${specifier}: core uses no I/O package or built-in`);
    } else if (target === 'outside' || !isRoom(own)) {
      offences.push(`${file} imports ${specifier}: outside functions/core`);
    } else if (!(CORE_ROOMS[own] as readonly string[]).includes(target)) {
      offences.push(`${file} imports ${specifier}: ${own} may use ${CORE_ROOMS[own].join(', ')}`);
    }
  }
  return offences;
}
