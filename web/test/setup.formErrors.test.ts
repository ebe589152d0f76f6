// The setup forms' words for a refused submit, from the API's own validation details (the messages below
// are what the API's zod schemas answer for a shot, a project and a task type).
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/errors';
import { fieldMessages, missing, problemsOf, summary } from '../src/setup/formErrors';

const SHOT = { code: 'Code', frameIn: 'First frame', frameOut: 'Last frame' };
const refused = (details: Array<{ path: string; message: string }>) => new ApiError(400, { error: { code: 'VALIDATION_FAILED', message: 'Request validation failed', details } });

describe('setup form errors', () => {
  it('names every missing field by its label, never "Request validation failed"', () => {
    const err = refused([
      { path: 'code', message: 'Invalid input: expected string, received undefined' },
      { path: 'frameIn', message: 'Invalid input: expected number, received undefined' },
      { path: 'frameOut', message: 'Invalid input: expected number, received undefined' },
    ]);
    const line = summary(problemsOf(err), SHOT);
    expect(line).toBe('Fix 3 fields: Code is required; First frame is required; Last frame is required.');
    expect(line).not.toMatch(/validation failed/i);
    expect(fieldMessages(problemsOf(err), SHOT)).toEqual({ code: 'Code is required', frameIn: 'First frame is required', frameOut: 'Last frame is required' });
  });

  it('says what to type: numbers, whole numbers, bounds, choices, the schema\'s own rule', () => {
    const problems = problemsOf(refused([
      { path: 'frameIn', message: 'Invalid input: expected number, received null' },
      { path: 'frameOut', message: 'Invalid input: expected int, received number' },
      { path: 'resolution.width', message: 'Too small: expected number to be >=1' },
      { path: 'for', message: 'Invalid option: expected one of "ASSET"|"SHOT"|"BOTH"' },
      { path: 'code', message: 'letters, digits, _ . - (starting with a letter or digit), at most 40' },
    ]));
    expect(fieldMessages(problems, { ...SHOT, 'resolution.width': 'Width', for: 'Used for' })).toEqual({
      frameIn: 'First frame must be a number',
      frameOut: 'Last frame must be a whole number',
      resolution: 'Width must be at least 1',
      for: 'Used for must be one of ASSET, SHOT, BOTH',
      code: 'Code: letters, digits, _ . - (starting with a letter or digit), at most 40',
    });
  });

  it('one problem is one sentence; a problem of no field is the sentence alone', () => {
    expect(summary([{ path: 'name', message: 'Too small: expected string to have >=1 characters' }], { name: 'Name' })).toBe('Name is required.');
    expect(summary([{ path: '(root)', message: 'provide at least one field to change' }], {})).toBe('Provide at least one field to change.');
  });

  it('finds the empty required fields before asking, in the API\'s shape', () => {
    const empty = missing({ code: '  ', frameIn: '1001', frameOut: '' }, ['code', 'frameIn', 'frameOut']);
    expect(fieldMessages(empty, SHOT)).toEqual({ code: 'Code is required', frameOut: 'Last frame is required' });
  });

  it('a refusal that is not about fields (a taken code, no permission) has no field problems', () => {
    expect(problemsOf(new ApiError(409, { error: { code: 'CONFLICT', message: 'A project with code RKT exists' } }))).toEqual([]);
    expect(problemsOf(new Error('offline'))).toEqual([]);
  });
});
