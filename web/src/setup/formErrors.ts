// A refused form in words: which field, and what to do. The API's validation answer names fields by path
// (`frameIn`, `fps.num`) with the schema's own wording ("Invalid input: expected number, received
// undefined"); a form turns them into its labels and sentences a person acts on ("Frame in is required").
import { ApiError } from '../api/errors';

export interface FieldProblem { path: string; message: string }
/** The form's labels by field path; a nested path falls back to its first segment's label. */
export type Labels = Record<string, string>;

const RULES: Array<[RegExp, (m: RegExpMatchArray) => string]> = [
  [/received undefined|expected string to have >=1 characters?|^Required$/i, () => 'is required'],
  [/expected number, received (string|NaN|nan|null)/i, () => 'must be a number'],
  [/expected int/i, () => 'must be a whole number'],
  [/Too small: expected number to be >=?\s*(-?[\d.e+]+)/i, (m) => `must be at least ${Number(m[1])}`],
  [/Too big: expected number to be <=?\s*(-?[\d.e+]+)/i, (m) => `must be at most ${Number(m[1])}`],
  [/Too big: expected string to have <=?\s*(\d+) characters?/i, (m) => `must be at most ${m[1]} characters`],
  [/Invalid option: expected one of (.*)/i, (m) => `must be one of ${m[1]!.replaceAll('"', '').replaceAll('|', ', ')}`],
  [/Unrecognized key/i, () => 'is not something this form can set'],
];

/** One problem as a sentence about its field: "Frame in is required", "Code: letters, digits, …". */
export function fieldSentence(problem: FieldProblem, labels: Labels): string {
  const label = labels[problem.path] ?? labels[problem.path.split('.')[0] ?? ''] ?? null;
  for (const [re, say] of RULES) {
    const m = problem.message.match(re);
    if (m) return label ? `${label} ${say(m)}` : capital(say(m));
  }
  return label ? `${label}: ${problem.message}` : capital(problem.message);
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Per-field sentences (keyed by the field's first path segment, as the form's inputs are named). */
export function fieldMessages(problems: FieldProblem[], labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) out[p.path.split('.')[0] ?? ''] ??= fieldSentence(p, labels);
  return out;
}

/** The line above the form: what to fix, naming every field, never "Request validation failed". */
export function summary(problems: FieldProblem[], labels: Labels): string {
  const sentences = [...new Set(problems.map((p) => fieldSentence(p, labels)))];
  if (!sentences.length) return '';
  return sentences.length === 1 ? `${sentences[0]}.` : `Fix ${sentences.length} fields: ${sentences.join('; ')}.`;
}

/** The required fields left empty, as problems in the API's shape (a form checks these before it asks). */
export function missing(values: Record<string, string>, required: readonly string[]): FieldProblem[] {
  return required.filter((f) => !(values[f] ?? '').trim()).map((path) => ({ path, message: 'Required' }));
}

/** The field problems of a thrown error: the API's details on a 400, none otherwise. */
export const problemsOf = (err: unknown): FieldProblem[] => (err instanceof ApiError && err.status === 400 ? err.details : []);
