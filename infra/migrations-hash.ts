import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? listFiles(full) : [full];
    });
}

/**
 * SHA-256 over the relative paths and contents of every file below the given directories (sorted, so stable
 * across machines). A missing directory contributes nothing. Used as a custom resource property so that
 * CloudFormation sends an Update (and the migrations run) whenever a migration file is added or changed.
 */
export function hashDirectories(root: string, relativeDirs: string[]): string {
  const hash = createHash('sha256');
  for (const relativeDir of relativeDirs) {
    const dir = path.join(root, relativeDir);
    if (!existsSync(dir)) continue;
    for (const file of listFiles(dir)) {
      hash.update(path.relative(root, file).split(path.sep).join('/'));
      hash.update('\0');
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  }
  return hash.digest('hex');
}
