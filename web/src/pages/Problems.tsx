import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, idempotencyKey, query } from '../api/client';
import type { Page, ProblemRecord, ProblemStatus } from '../api/types';
import { EmptyState, ErrorMessage, Field, Loading, PageHeader } from '../components/ui';
import { formatRelative } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { describeError, formErrors, NO_ERRORS, type FormErrors } from '../lib/problem';
import { useMe } from '../lib/session';

export const PROBLEM_STATUS: Record<ProblemStatus, string> = {
  new: 'New',
  investigating: 'Investigating',
  known_error: 'Known error',
  resolved: 'Resolved',
  closed: 'Closed',
};

export function ProblemStatusBadge({ status }: { status: ProblemStatus }) {
  return <span className={`badge pstatus pstatus-${status}`}>{PROBLEM_STATUS[status] ?? status}</span>;
}

export default function Problems() {
  useTitle('Problems');
  const { can } = useMe();
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? '';
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const [creating, setCreating] = useState(false);
  const list = useApi<Page<ProblemRecord>>(`/api/v1/problems${query({ status, q, limit: 100 })}`);
  const items = list.data?.items ?? [];

  return (
    <div className="page">
      <PageHeader
        title="Problems and known errors"
        subtitle="The causes behind incidents, and the workarounds while they are being fixed."
        actions={
          can.work ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
              New problem
            </button>
          ) : null
        }
      />
      {creating ? <NewProblem onCancel={() => setCreating(false)} /> : null}
      <form
        className="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const p = new URLSearchParams(params);
          if (text.trim()) p.set('q', text.trim());
          else p.delete('q');
          setParams(p);
        }}
      >
        <label htmlFor="pq" className="sr-only">
          Search problems
        </label>
        <input id="pq" type="search" placeholder="Search problems" value={text} onChange={(e) => setText(e.target.value)} />
        <label htmlFor="ps" className="sr-only">
          Status
        </label>
        <select
          id="ps"
          value={status}
          onChange={(e) => {
            const p = new URLSearchParams(params);
            if (e.target.value) p.set('status', e.target.value);
            else p.delete('status');
            setParams(p);
          }}
        >
          <option value="">Any status</option>
          {Object.entries(PROBLEM_STATUS).map(([k, v]) => (
            <option key={k} value={k}>
              {v}
            </option>
          ))}
        </select>
        <button type="submit" className="btn">
          Search
        </button>
      </form>
      {list.loading && !list.data ? <Loading /> : null}
      <ErrorMessage>{list.error ? describeError(list.error) : null}</ErrorMessage>
      {list.data && items.length === 0 ? (
        <EmptyState title="No problems recorded">
          {can.work ? 'When several incidents share a cause, open a problem to find and fix it.' : 'Nothing matches.'}
        </EmptyState>
      ) : null}
      {items.length ? (
        <div className="table-scroll"><table className="simple-table">
          <thead>
            <tr>
              <th scope="col">Problem</th>
              <th scope="col">Status</th>
              <th scope="col">Owner</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.key}>
                <td>
                  <Link to={`/problems/${p.key}`}>
                    <span className="key">{p.key}</span> {p.title}
                  </Link>
                </td>
                <td>
                  <ProblemStatusBadge status={p.status} />
                </td>
                <td>{p.owner ?? <span className="muted">nobody</span>}</td>
                <td className="muted">{formatRelative(p.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table></div>
      ) : null}
    </div>
  );
}

function NewProblem({ onCancel }: { onCancel: () => void }) {
  const navigate = useNavigate();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  async function create(e: FormEvent) {
    e.preventDefault();
    setErrors(NO_ERRORS);
    try {
      const p = await api.post<ProblemRecord>('/api/v1/problems', { title: title.trim(), description }, { headers: { 'Idempotency-Key': idempotencyKey() } });
      navigate(`/problems/${p.key}`);
    } catch (err) {
      setErrors(formErrors(err, ['title', 'description', 'owner']));
    }
  }
  return (
    <form className="card stack" onSubmit={create} noValidate>
      <ErrorMessage>{errors.form}</ErrorMessage>
      <Field label="Title" required error={errors.fields.title}>
        {(p) => <input {...p} value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} />}
      </Field>
      <Field label="Description" error={errors.fields.description}>
        {(p) => <textarea {...p} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={!title.trim()}>
          Open problem
        </button>
        <button type="button" className="btn btn-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
