import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (the directory holding package.json and package-lock.json). */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
