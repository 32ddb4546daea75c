import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiError, api } from '../api/client';
import type { ProblemRecord, ProblemStatus } from '../api/types';
import { EmptyState, ErrorMessage, Field, Loading, PriorityBadge, StatusBadge } from '../components/ui';
import { formatRelative } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';
import { useMe } from '../lib/session';
import { PROBLEM_STATUS, ProblemStatusBadge } from './Problems';

const VERBS: Record<ProblemStatus, string> = {
  new: 'Back to new',
  investigating: 'Start investigating',
  known_error: 'Mark as known error',
  resolved: 'Resolve',
  closed: 'Close',
};

export default function ProblemPage() {
  const { key = '' } = useParams();
  const { can } = useMe();
  const problem = useApi<ProblemRecord>(`/api/v1/problems/${encodeURIComponent(key)}`);
  const p = problem.data;
  useTitle(p ? `${p.key} ${p.title}` : key);
  const [rootCause, setRootCause] = useState('');
  const [workaround, setWorkaround] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (p) {
      setRootCause(p.root_cause ?? '');
      setWorkaround(p.workaround ?? '');
    }
  }, [p]);

  if (problem.error) {
    return (
      <div className="page narrow">
        {problem.error instanceof ApiError && problem.error.status === 404 ? (
          <EmptyState title={`${key} was not found`} action={<Link className="btn" to="/problems">Back to the problems</Link>} />
        ) : (
          <ErrorMessage>{describeError(problem.error)}</ErrorMessage>
        )}
      </div>
    );
  }
  if (!p) return <Loading />;

  async function save(e: FormEvent) {
    e.preventDefault();
    if (!p) return;
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      problem.setData(await api.patch<ProblemRecord>(`/api/v1/problems/${p.key}`, { root_cause: rootCause, workaround }, p.version));
    } catch (err) {
      setErrors(formErrors(err, ['root_cause', 'workaround']));
    } finally {
      setBusy(false);
    }
  }

  async function move(to: ProblemStatus) {
    if (!p) return;
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const body: Record<string, unknown> = { to };
      if (to === 'known_error' && workaround.trim()) body.workaround = workaround;
      if (to === 'resolved' && rootCause.trim()) body.root_cause = rootCause;
      problem.setData(await api.post<ProblemRecord>(`/api/v1/problems/${p.key}/transitions`, body));
    } catch (err) {
      setErrors(formErrors(err, ['root_cause', 'workaround']));
    } finally {
      setBusy(false);
    }
  }

  const editable = can.work && p.status !== 'closed';
  return (
    <div className="page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/problems">Problems</Link> <span aria-hidden="true">›</span> {p.key}
      </nav>
      <header className="incident-head">
        <div className="incident-badges">
          <span className="key big">{p.key}</span>
          <ProblemStatusBadge status={p.status} />
        </div>
        <h1>{p.title}</h1>
        <p className="muted">
          Owner {p.owner ?? 'nobody yet'} · updated {formatRelative(p.updated_at)}
        </p>
      </header>
      {can.work && p.allowed_transitions?.length ? (
        <div className="button-row">
          {p.allowed_transitions.map((to) => (
            <button key={to} type="button" className="btn btn-secondary" disabled={busy} onClick={() => void move(to)}>
              {VERBS[to] ?? PROBLEM_STATUS[to]}
            </button>
          ))}
        </div>
      ) : null}
      <ErrorMessage>{errors.form}</ErrorMessage>
      <div className="incident-grid">
        <div className="incident-main">
          {p.description ? (
            <section className="card">
              <h2>Description</h2>
              <div className="prose">{p.description}</div>
            </section>
          ) : null}
          <section className="card">
            <h2>Root cause and workaround</h2>
            {editable ? (
              <form onSubmit={save} className="stack" noValidate>
                <Field label="Root cause" error={errors.fields.root_cause} hint="Required before the problem can be resolved.">
                  {(f) => <textarea {...f} rows={4} value={rootCause} onChange={(e) => setRootCause(e.target.value)} />}
                </Field>
                <Field label="Workaround" error={errors.fields.workaround} hint="Required for a known error; suggested to whoever logs a matching incident.">
                  {(f) => <textarea {...f} rows={4} value={workaround} onChange={(e) => setWorkaround(e.target.value)} />}
                </Field>
                <div className="form-actions">
                  <button type="submit" className="btn btn-primary" disabled={busy}>
                    Save
                  </button>
                </div>
              </form>
            ) : (
              <dl className="facts block">
                <dt>Root cause</dt>
                <dd className="prose">{p.root_cause || '—'}</dd>
                <dt>Workaround</dt>
                <dd className="prose">{p.workaround || '—'}</dd>
              </dl>
            )}
          </section>
        </div>
        <aside className="incident-side">
          <section className="card">
            <h2>Incidents</h2>
            {(p.incidents ?? []).length === 0 ? <p className="muted">No incident is linked yet. Link one from its incident page.</p> : null}
            <ul className="plain">
              {(p.incidents ?? []).map((i) => (
                <li key={i.key} className="linked-incident">
                  <PriorityBadge priority={i.priority} /> <Link to={`/incidents/${i.key}`}>{i.key}</Link> {i.title} <StatusBadge status={i.status} />
                </li>
              ))}
            </ul>
            {p.incidents_truncated ? <p className="muted small">More incidents are linked than shown.</p> : null}
          </section>
        </aside>
      </div>
    </div>
  );
}
