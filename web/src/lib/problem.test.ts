import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { baseField, describeError, formErrors, sentence } from './problem';

const validation = new ApiError({
  status: 422,
  code: 'validation-failed',
  detail: 'title: must not be empty',
  errors: [
    { field: 'title', message: 'must not be empty' },
    { field: 'roles[1]', message: 'must be one of reporter, agent' },
    { field: 'week.monday[0].start', message: 'is not a time' },
  ],
});

describe('formErrors', () => {
  it('puts each message next to the field it names', () => {
    const f = formErrors(validation, ['title', 'roles']);
    expect(f.fields).toEqual({ title: 'Must not be empty.', roles: 'Must be one of reporter, agent.' });
    expect(f.form).toBe('Week.monday[0].start: is not a time.');
  });

  it('shows the detail when no field of the form is named', () => {
    const f = formErrors(new ApiError({ status: 409, code: 'conflict', detail: 'the username is taken' }), ['title']);
    expect(f.fields).toEqual({});
    expect(f.form).toBe('The username is taken.');
  });

  it('explains a lost CSRF token and a stale version in words', () => {
    expect(describeError(new ApiError({ status: 403, code: 'csrf-token-invalid', detail: 'x' }))).toMatch(/reload the page/i);
    expect(describeError(new ApiError({ status: 412, code: 'precondition-failed', detail: 'x' }))).toMatch(/someone else changed/i);
    expect(describeError(new ApiError({ status: 0, code: 'network' }))).toMatch(/could not be reached/);
  });

  it('drops the field name the server put before a message shown on its own', () => {
    const e = new ApiError({ status: 409, code: 'conflict', detail: 'lessons_learned: closing a P2 incident requires a record', errors: [{ field: 'lessons_learned', message: 'closing a P2 incident requires a record' }] });
    expect(formErrors(e, ['to']).form).toBe('Closing a P2 incident requires a record.');
  });

  it('handles errors that are not problems', () => {
    expect(formErrors(new Error('boom'), []).form).toBe('Boom.');
    expect(describeError('weird')).toBe('Something went wrong.');
  });
});

describe('helpers', () => {
  it('baseField strips indexes and paths', () => {
    expect(baseField('roles[1]')).toBe('roles');
    expect(baseField('week.monday[0].start')).toBe('week');
    expect(baseField('title')).toBe('title');
  });
  it('sentence capitalises and ends with a full stop', () => {
    expect(sentence('is required')).toBe('Is required.');
    expect(sentence('Done!')).toBe('Done!');
    expect(sentence('')).toBe('');
  });
});
