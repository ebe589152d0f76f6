// Text that every store this runs on can keep. PostgreSQL (under the embedded FerretDB) refuses NUL
// characters, and no store can encode an unpaired UTF-16 surrogate as UTF-8; no name, tag or note needs
// either. Refusing them at the edge answers 400 instead of a 500 from deep in a write.
export function isStorableText(s: string): boolean {
  return !s.includes('\u0000') && s.isWellFormed();
}

/** The path of the first string (value or key) in a parsed JSON value that is not storable, or null. */
export function findUnstorable(value: unknown, root: string): string | null {
  const stack: Array<[unknown, string]> = [[value, root]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (!isStorableText(v)) return path;
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}.${i}`]));
    } else if (v && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (!isStorableText(k)) return path;
        stack.push([item, path === root && root === '(root)' ? k : `${path}.${k}`]);
      }
    }
  }
  return null;
}
