import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, idempotencyKey } from '../api/client';
import type { EventKind, EventReport } from '../api/types';
import { ErrorMessage, Field, FieldGroup } from '../components/ui';
import { localInputToIso } from '../lib/format';
import { useTitle } from '../lib/hooks';
import { formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';

const FIELDS = ['kind', 'title', 'description', 'observed', 'observed_at', 'location'];

const KINDS: { id: EventKind; label: string; hint: string }[] = [
  {
    id: 'event',
    label: 'Something happened (a security event)',
    hint: 'A suspicious e-mail, message or call, a lost or stolen device, pop-ups or antivirus alerts, sign-ins you did not make',
  },
  {
    id: 'weakness',
    label: 'A weakness I noticed',
    hint: 'Something that could be misused: a door that does not lock, a shared password, a system that shows too much',
  },
];

// Report a security event or weakness: a few plain questions, done in under a minute on a phone.
// It becomes a report (EVT-…) that the security team assesses; classifying it is their job.
export function Report() {
  useTitle('Report an event');
  const [kind, setKind] = useState<EventKind | ''>('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [observed, setObserved] = useState('');
  const [when, setWhen] = useState('');
  const [where, setWhere] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<EventReport | null>(null);
  const clear = (...fields: string[]) =>
    setErrors((e) => (fields.some((f) => e.fields[f]) ? { ...e, fields: Object.fromEntries(Object.entries(e.fields).filter(([k]) => !fields.includes(k))) } : e));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!kind) local.kind = 'Choose what kind of thing you noticed.';
    if (!title.trim()) local.title = 'Say in a few words what happened.';
    if (!description.trim() && !observed.trim()) local.description = 'Describe what happened here, or what exactly you saw below.';
    if (Object.keys(local).length) {
      setErrors({ fields: local, form: null });
      return;
    }
    const body: Record<string, unknown> = { kind, title: title.trim() };
    if (description.trim()) body.description = description.trim();
    if (observed.trim()) body.observed = observed.trim();
    if (where.trim()) body.location = where.trim();
    const at = localInputToIso(when);
    if (at) body.observed_at = at;
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      setDone(await api.post<EventReport>('/api/v1/events', body, { headers: { 'Idempotency-Key': idempotencyKey() } }));
      window.scrollTo(0, 0);
    } catch (err) {
      setErrors(formErrors(err, FIELDS));
    } finally {
      setBusy(false);
    }
  }

  function again() {
    setDone(null);
    setKind('');
    setTitle('');
    setDescription('');
    setObserved('');
    setWhen('');
    setWhere('');
  }

  if (done) return <Reported report={done} onAgain={again} />;

  return (
    <div className="page narrow">
      <h1>Report a security event or weakness</h1>
      <p className="lead">
        Tell us what you noticed, even if you are not sure it matters. It takes a minute, and you are never blamed for
        reporting.
      </p>
      <form onSubmit={submit} noValidate className="stack">
        <ErrorMessage>{errors.form}</ErrorMessage>
        <FieldGroup className="choice-list" legend="What did you notice?" required error={errors.fields.kind}>
          {KINDS.map((k) => (
            <label key={k.id} className={`choice${kind === k.id ? ' selected' : ''}`}>
              <input type="radio" name="kind" value={k.id} checked={kind === k.id} onChange={() => {
                  setKind(k.id);
                  clear('kind');
                }} />
              <span>
                <span className="choice-label">{k.label}</span>
                <span className="choice-hint">{k.hint}</span>
              </span>
            </label>
          ))}
        </FieldGroup>
        <Field label="What happened, in a few words?" required error={errors.fields.title} hint="For example: “E-mail asking me to confirm my password”">
          {(p) => <input {...p} name="title" maxLength={200} value={title} onChange={(e) => {
            setTitle(e.target.value);
            clear('title');
          }} />}
        </Field>
        <Field label="Details" hint="The story in your own words, and anything you already did. Do not forward suspicious e-mails to colleagues." error={errors.fields.description}>
          {(p) => <textarea {...p} name="description" rows={4} value={description} onChange={(e) => {
            setDescription(e.target.value);
            clear('description');
          }} />}
        </Field>
        <Field label="What exactly did you see?" hint="Messages on the screen, sender addresses, links, file names — as precisely as you can." error={errors.fields.observed}>
          {(p) => <textarea {...p} name="observed" rows={3} value={observed} onChange={(e) => {
            setObserved(e.target.value);
            clear('observed', 'description');
          }} />}
        </Field>
        <div className="grid-2">
          <Field label="When? (if you know)" error={errors.fields.observed_at}>
            {(p) => <input {...p} name="observed_at" type="datetime-local" value={when} onChange={(e) => {
              setWhen(e.target.value);
              clear('observed_at');
            }} />}
          </Field>
          <Field label="Where?" hint="A computer, system, service or place" error={errors.fields.location}>
            {(p) => <input {...p} name="location" maxLength={200} value={where} onChange={(e) => {
              setWhere(e.target.value);
              clear('location');
            }} />}
          </Field>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary btn-large" disabled={busy}>
            {busy ? 'Sending…' : 'Send report'}
          </button>
          <Link to="/" className="btn btn-quiet">
            Cancel
          </Link>
        </div>
      </form>
    </div>
  );
}

function Reported({ report, onAgain }: { report: EventReport; onAgain: () => void }) {
  useTitle(`Reported ${report.key}`);
  return (
    <div className="page narrow">
      <div className="success-panel" role="status">
        <h1>Thank you — your report is in</h1>
        <p>
          It is recorded as <Link to={`/reports/${report.key}`}>{report.key}</Link>. Quote this key if you talk to the service desk about it.
        </p>
      </div>
      <h2>What happens next</h2>
      <ol className="next-steps">
        <li>
          The security team assesses your report (triage): they decide whether it becomes an incident, belongs to one they
          are already working on, or needs nothing more.
        </li>
        <li>You will be told the outcome, here and by e-mail if your account has an address. They may contact you for details.</li>
        <li>Keep what you saw: do not delete the message or switch off the device unless they ask you to.</li>
        <li>
          Follow your report under <Link to="/">My reports</Link> on your home page.
        </li>
      </ol>
      <p className="muted">If something is causing damage right now, also call your service desk.</p>
      <div className="form-actions">
        <Link to={`/reports/${report.key}`} className="btn btn-primary">
          View {report.key}
        </Link>
        <button type="button" className="btn" onClick={onAgain}>
          Report something else
        </button>
      </div>
    </div>
  );
}
