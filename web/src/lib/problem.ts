import { ApiError } from '../api/client';

// Field errors of a problem by field name, for showing each next to its input. A field the form
// does not show (or a problem without fields) ends up in the form-level message instead.
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

// Words for the codes whose detail alone would not tell a user what to do.
const FRIENDLY: Record<string, string> = {
  'csrf-token-invalid': 'Your session is out of date. Reload the page and try again.',
  'precondition-failed': 'Someone else changed this in the meantime. The page has been refreshed; check and try again.',
  'mfa-enrolment-required': 'Your account needs a second factor before you can continue.',
  network: 'The server could not be reached. Check your connection and try again.',
};

// "roles[1]" and "week.monday[0].start" belong to the inputs named "roles" and "week".
export function baseField(field: string): string {
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(field);
  return m ? m[0] : field;
}

export function sentence(message: string): string {
  const t = message.trim();
  if (!t) return t;
  const capital = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

// The label a field error reads with: "Title must not be empty."
export function fieldMessage(message: string): string {
  return sentence(message);
}

// The server's detail often starts with the field it is about ("title: must not be empty");
// shown on its own, the field name reads as noise.
function withoutFieldPrefix(error: ApiError): string {
  let detail = error.detail;
  for (const e of error.errors) {
    if (detail.startsWith(`${e.field}: `)) detail = detail.slice(e.field.length + 2);
  }
  return detail;
}

export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    if (FRIENDLY[error.code]) return FRIENDLY[error.code];
    if (error.status === 403 && !error.detail) return 'You are not allowed to do this.';
    if (error.status === 404) return sentence(error.detail || 'This was not found, or you may not see it.');
    return sentence(withoutFieldPrefix(error) || `The request failed (${error.status}).`);
  }
  if (error instanceof Error) return sentence(error.message);
  return 'Something went wrong.';
}

// Splits an error into messages for the fields the form has and one for the rest.
export function formErrors(error: unknown, knownFields: readonly string[]): FormErrors {
  if (!(error instanceof ApiError)) return { fields: {}, form: describeError(error) };
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const e of error.errors) {
    const name = baseField(e.field);
    if (knownFields.includes(name)) {
      if (!fields[name]) fields[name] = fieldMessage(e.message);
    } else {
      rest.push(`${e.field}: ${e.message}`);
    }
  }
  let form: string | null = null;
  if (Object.keys(fields).length === 0) form = describeError(error);
  else if (rest.length) form = sentence(rest.join('; '));
  return { fields, form };
}
