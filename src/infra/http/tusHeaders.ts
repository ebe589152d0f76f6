// The tus 1.0 header rules @tus/server checks before any hook runs. It stopped exporting its validator in
// version 2, so they are stated here (the same rules) and checked first, to answer in the error contract.
import { Metadata, TUS_RESUMABLE, TUS_VERSION } from '@tus/server';

const nonNegativeInteger = (value: string) => {
  const n = Number(value);
  return Number.isInteger(n) && String(n) === value && n >= 0;
};

const RULES: Record<string, (value: string) => boolean> = {
  'upload-offset': nonNegativeInteger,
  'upload-length': nonNegativeInteger,
  'upload-defer-length': (value) => value === '1',
  'upload-metadata': (value) => {
    try {
      Metadata.parse(value);
      return true;
    } catch {
      return false;
    }
  },
  'x-forwarded-proto': (value) => value === 'http' || value === 'https',
  'tus-version': (value) => (TUS_VERSION as readonly string[]).includes(value),
  'tus-resumable': (value) => value === TUS_RESUMABLE,
  'content-type': (value) => value === 'application/offset+octet-stream',
  'upload-concat': (value) => value === 'partial' || value.startsWith('final;'),
};

/** Whether a request header's value is acceptable to the tus protocol (headers tus does not define always are). */
export function validTusHeader(name: string, value: string | undefined): boolean {
  const rule = RULES[name.toLowerCase()];
  return !rule || (value !== undefined && rule(value));
}
