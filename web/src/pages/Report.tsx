import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, idempotencyKey } from '../api/client';
import type { Category, Incident, Page } from '../api/types';
import { CheckField, ErrorMessage, Field, FieldGroup } from '../components/ui';
import { localInputToIso } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';
import { classify, ONGOING, REACH, REPORT_KINDS, withinWords, type Ongoing, type Reach } from '../lib/report';

const FIELDS = ['title', 'description', 'category', 'subcategory', 'impact', 'urgency', 'occurred_at', 'personal_data'];

// Report a security event or weakness: a few plain questions, done in under a minute on a phone.
export function Report() {
  useTitle('Report an event');
  const categories = useApi<Page<Category>>('/api/v1/categories', { cached: true });
  const [kind, setKind] = useState('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [reach, setReach] = useState<Reach>('me');
  const [ongoing, setOngoing] = useState<Ongoing>('maybe');
  const [occurred, setOccurred] = useState('');
  const [personal, setPersonal] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [done, setDone] = useState<Incident | null>(null);
  const clear = (...fields: string[]) =>
    setErrors((e) => (fields.some((f) => e.fields[f]) ? { ...e, fields: Object.fromEntries(Object.entries(e.fields).filter(([k]) => !fields.includes(k))) } : e));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!kind) local.category = 'Choose what kind of thing you noticed.';
    if (!title.trim()) local.title = 'Say in a few words what happened.';
    if (Object.keys(local).length) {
      setErrors({ fields: local, form: null });
      return;
    }
    const chosen = REPORT_KINDS.find((k) => k.id === kind)!;
    const { category, subcategory } = classify(chosen, categories.data?.items ?? []);
    const body: Record<string, unknown> = {
      title: title.trim(),
      description: description.trim(),
      category,
      impact: REACH[reach].impact,
      urgency: ONGOING[ongoing].urgency,
      personal_data: personal,
    };
    if (subcategory) body.subcategory = subcategory;
    const at = localInputToIso(occurred);
    if (at) body.occurred_at = at;
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      setDone(await api.post<Incident>('/api/v1/incidents', body, { headers: { 'Idempotency-Key': idempotencyKey() } }));
      window.scrollTo(0, 0);
    } catch (err) {
      const f = formErrors(err, FIELDS);
      if (f.fields.subcategory && !f.fields.category) f.fields.category = f.fields.subcategory;
      setErrors(f);
    } finally {
      setBusy(false);
    }
  }

  function again() {
    setDone(null);
    setKind('');
    setTitle('');
    setDescription('');
    setOccurred('');
    setPersonal(false);
    setReach('me');
    setOngoing('maybe');
  }

  if (done) return <Reported incident={done} onAgain={again} />;

  return (
    <div className="page narrow">
      <h1>Report a security event or weakness</h1>
      <p className="lead">
        Tell us what you noticed, even if you are not sure it matters. It takes a minute, and you are never blamed for
        reporting.
      </p>
      <form onSubmit={submit} noValidate className="stack">
        <ErrorMessage>{errors.form}</ErrorMessage>
        <FieldGroup className="choice-list" legend="What did you notice?" required error={errors.fields.category}>
          {REPORT_KINDS.map((k) => (
            <label key={k.id} className={`choice${kind === k.id ? ' selected' : ''}`}>
              <input type="radio" name="kind" value={k.id} checked={kind === k.id} onChange={() => {
                  setKind(k.id);
                  clear('category', 'subcategory');
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
        <Field label="Details" hint="What you saw, where, and anything you already did. Do not forward suspicious e-mails to colleagues." error={errors.fields.description}>
          {(p) => <textarea {...p} name="description" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        <div className="grid-2">
          <Field label="Who is affected?" error={errors.fields.impact}>
            {(p) => (
              <select {...p} name="reach" value={reach} onChange={(e) => setReach(e.target.value as Reach)}>
                {Object.entries(REACH).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Is it still going on?" error={errors.fields.urgency}>
            {(p) => (
              <select {...p} name="ongoing" value={ongoing} onChange={(e) => setOngoing(e.target.value as Ongoing)}>
                {Object.entries(ONGOING).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <Field label="When did it happen? (if you know)" error={errors.fields.occurred_at}>
          {(p) => <input {...p} name="occurred_at" type="datetime-local" value={occurred} onChange={(e) => setOccurred(e.target.value)} />}
        </Field>
        <CheckField label="Personal data (about customers, staff or anyone else) may be involved" checked={personal} onChange={setPersonal} error={errors.fields.personal_data} />
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

function Reported({ incident, onAgain }: { incident: Incident; onAgain: () => void }) {
  useTitle(`Reported ${incident.key}`);
  const response = incident.sla?.response;
  return (
    <div className="page narrow">
      <div className="success-panel" role="status">
        <h1>Thank you — your report is in</h1>
        <p>
          It is recorded as <Link to={`/incidents/${incident.key}`}>{incident.key}</Link>.
        </p>
      </div>
      <h2>What happens next</h2>
      <ol className="next-steps">
        <li>
          The security team looks at your report
          {response?.target_ms ? <> {withinWords(response.target_ms)} (in working hours for less urgent reports)</> : null} and
          decides what needs to be done.
        </li>
        <li>They may contact you for details. Keep what you saw: do not delete the message or switch off the device unless they ask you to.</li>
        <li>
          Follow the status of your report on its page or under <Link to="/incidents">My reports</Link>. You will see when it is resolved.
        </li>
      </ol>
      <p className="muted">If something is causing damage right now, also call your service desk.</p>
      <div className="form-actions">
        <Link to={`/incidents/${incident.key}`} className="btn btn-primary">
          View {incident.key}
        </Link>
        <button type="button" className="btn" onClick={onAgain}>
          Report something else
        </button>
      </div>
    </div>
  );
}
