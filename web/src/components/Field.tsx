import { useId, type ReactNode } from 'react';

// The one form-field component: every input, select, textarea, checkbox and group of choices in
// the application is drawn by one of these three, so that each has a label, its hint and its
// error (a problem+json field error, in words) right beside it, wired up for screen readers
// (aria-describedby, aria-invalid) the same way everywhere.

type ControlProps = { id: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean };

function describedBy(...ids: unknown[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}

function Hint({ id, children }: { id: string; children: ReactNode }) {
  return (
    <div className="hint" id={id}>
      {children}
    </div>
  );
}

function FieldError({ id, children }: { id: string; children: ReactNode }) {
  return (
    <div className="field-error" id={id} role="alert">
      {children}
    </div>
  );
}

interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  required?: boolean;
  className?: string;
  // The control, given the id and ARIA attributes to spread onto it.
  children: (props: ControlProps) => ReactNode;
}

// A labelled input, select or textarea.
export function Field({ label, hint, error, required, children, className }: FieldProps) {
  const id = useId();
  return (
    <div className={`field${error ? ' has-error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>
        {label}
        {required ? <span className="required" aria-hidden="true"> *</span> : null}
      </label>
      {children({ id, 'aria-describedby': describedBy(hint && `${id}-hint`, error && `${id}-error`), 'aria-invalid': error ? true : undefined })}
      {hint ? <Hint id={`${id}-hint`}>{hint}</Hint> : null}
      {error ? <FieldError id={`${id}-error`}>{error}</FieldError> : null}
    </div>
  );
}

interface CheckFieldProps {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  hint?: ReactNode;
  error?: string | null;
}

// A checkbox with its label after it.
export function CheckField({ label, checked, onChange, disabled, hint, error }: CheckFieldProps) {
  const id = useId();
  return (
    <div className={`check-field${error ? ' has-error' : ''}`}>
      <label className="check">
        <input
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => onChange(e.target.checked)}
          aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}
          aria-invalid={error ? true : undefined}
        />
        {label}
      </label>
      {hint ? <Hint id={`${id}-hint`}>{hint}</Hint> : null}
      {error ? <FieldError id={`${id}-error`}>{error}</FieldError> : null}
    </div>
  );
}

interface FieldGroupProps {
  legend: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  required?: boolean;
  className?: string;
  children: ReactNode;
}

// A group of choices (radio buttons, checkboxes, a row of inputs) under one legend, with the
// group's error under it.
export function FieldGroup({ legend, hint, error, required, className, children }: FieldGroupProps) {
  const id = useId();
  return (
    <fieldset
      className={`${className ?? 'checks'}${error ? ' has-error' : ''}`}
      aria-describedby={describedBy(hint && `${id}-hint`, error && `${id}-error`)}
    >
      <legend>
        {legend}
        {required ? <span className="required" aria-hidden="true"> *</span> : null}
      </legend>
      {children}
      {hint ? <Hint id={`${id}-hint`}>{hint}</Hint> : null}
      {error ? <FieldError id={`${id}-error`}>{error}</FieldError> : null}
    </fieldset>
  );
}
