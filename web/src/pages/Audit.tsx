import { Fragment, useState, type FormEvent } from 'react';
import { api, query } from '../api/client';
import type { AuditEntry, AuditVerify, Page } from '../api/types';
import { EmptyState, ErrorMessage, Loading, Notice, PageHeader } from '../components/ui';
import { formatDateTime } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { describeError } from '../lib/problem';

// The audit trail: newest first, filtered, with the chain's verification on demand.
export default function Audit() {
  useTitle('Audit trail');
  const [filters, setFilters] = useState({ actor: '', action: '', object_type: '', object_id: '' });
  const [applied, setApplied] = useState(filters);
  const [cursor, setCursor] = useState<string | null>(null);
  const [pages, setPages] = useState<AuditEntry[]>([]);
  const page = useApi<Page<AuditEntry>>(`/api/v1/audit${query({ ...applied, limit: 50, cursor })}`);
  const [verify, setVerify] = useState<AuditVerify | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [verifyError, setVerifyError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  const rows = [...pages, ...(page.data?.items ?? [])];

  function apply(e: FormEvent) {
    e.preventDefault();
    setPages([]);
    setCursor(null);
    setApplied(filters);
  }

  async function runVerify() {
    setVerifying(true);
    setVerifyError(null);
    try {
      setVerify(await api.get<AuditVerify>('/api/v1/audit/verify'));
    } catch (err) {
      setVerifyError(describeError(err));
    } finally {
      setVerifying(false);
    }
  }

  return (
    <div className="page wide">
      <PageHeader
        title="Audit trail"
        subtitle="Every change, hash-chained and signed. Verification recomputes the whole chain."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => void runVerify()} disabled={verifying}>
            {verifying ? 'Verifying…' : 'Verify the chain'}
          </button>
        }
      />
      {verify ? (
        verify.ok ? (
          <Notice kind="success">
            <strong>The chain is intact.</strong> {verify.entries} entries and {verify.checkpoints} signed checkpoints verified
            {verify.seconds !== undefined ? ` in ${verify.seconds.toFixed(2)} s` : ''}.
            {verify.last_hash ? (
              <>
                {' '}
                Head <code>{verify.last_hash.slice(0, 16)}…</code>
              </>
            ) : null}
          </Notice>
        ) : (
          <div className="alert alert-error" role="alert">
            <strong>The chain does not verify.</strong> {verify.problem}
            {verify.first_bad_seq ? ` First bad entry: #${verify.first_bad_seq}.` : ''}
          </div>
        )
      ) : null}
      <ErrorMessage>{verifyError}</ErrorMessage>
      <form className="toolbar wrap" onSubmit={apply} aria-label="Filter the audit trail">
        {(
          [
            ['actor', 'Who (e.g. user:alice)'],
            ['action', 'Action'],
            ['object_type', 'Object type'],
            ['object_id', 'Object id'],
          ] as const
        ).map(([k, label]) => (
          <label key={k} className="inline-select">
            {label}
            <input value={filters[k]} onChange={(e) => setFilters((f) => ({ ...f, [k]: e.target.value }))} />
          </label>
        ))}
        <button type="submit" className="btn">
          Filter
        </button>
      </form>
      <ErrorMessage>{page.error ? describeError(page.error) : null}</ErrorMessage>
      {page.loading && rows.length === 0 ? <Loading /> : null}
      {page.data && rows.length === 0 ? <EmptyState title="No entries match">Clear the filters to see everything.</EmptyState> : null}
      {rows.length ? (
        <div className="table-scroll"><table className="simple-table audit-table">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <Fragment key={e.seq}>
                <tr>
                  <td>{e.seq}</td>
                  <td>{formatDateTime(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>
                    <button type="button" className="link" aria-expanded={open === e.seq} onClick={() => setOpen(open === e.seq ? null : e.seq)}>
                      {e.action}
                    </button>
                  </td>
                  <td>
                    {e.object_type} {e.object_id}
                  </td>
                  <td>
                    <code title={e.hash}>{e.hash.slice(0, 12)}…</code>
                  </td>
                </tr>
                {open === e.seq ? (
                  <tr className="detail-row">
                    <td colSpan={6}>
                      <pre>{JSON.stringify(e.detail, null, 2)}</pre>
                      <div className="muted small">
                        digest {e.digest} · previous {e.prev_hash}
                      </div>
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table></div>
      ) : null}
      {page.data?.next_cursor ? (
        <div className="table-foot">
          <button
            type="button"
            className="btn"
            onClick={() => {
              setPages(rows);
              setCursor(page.data!.next_cursor);
            }}
          >
            Older entries
          </button>
        </div>
      ) : null}
    </div>
  );
}
