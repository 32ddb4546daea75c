import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api, query } from '../api/client';
import type { EventReport, Page } from '../api/types';
import { EventStatusBadge } from '../components/EventStatusBadge';
import { EmptyState, ErrorMessage, Field, Loading, PageHeader } from '../components/ui';
import { formatRelative } from '../lib/format';
import { reporterName } from '../lib/events';
import { useTitle } from '../lib/hooks';
import { describeError } from '../lib/problem';

// What the queue shows: the undecided reports, oldest first (the triage order), or the decided ones.
const VIEWS: Record<string, { label: string; status: string; sort: string }> = {
  open: { label: 'Waiting for a decision', status: 'new,triaging', sort: 'created' },
  new: { label: 'Not yet looked at', status: 'new', sort: 'created' },
  decided: { label: 'Decided (newest first)', status: 'dismissed,merged,promoted', sort: '-created' },
};

// The triage queue: reports of security events and weaknesses for the service desk to assess.
export default function Triage() {
  useTitle('Triage');
  const [params, setParams] = useSearchParams();
  const view = VIEWS[params.get('view') ?? ''] ? (params.get('view') as string) : 'open';
  const [items, setItems] = useState<EventReport[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);

  async function load(after: string | null, signal?: AbortSignal) {
    const v = VIEWS[view];
    setLoading(true);
    try {
      const page = await api.get<Page<EventReport>>(`/api/v1/events${query({ status: v.status, sort: v.sort, limit: 50, cursor: after })}`, { signal });
      setItems((old) => (after ? [...old, ...page.items] : page.items));
      setCursor(page.next_cursor);
      setError(null);
    } catch (e) {
      if ((e as Error)?.name !== 'AbortError') setError(e);
    } finally {
      if (!signal?.aborted) setLoading(false);
    }
  }

  useEffect(() => {
    const controller = new AbortController();
    void load(null, controller.signal);
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view, generation]);

  return (
    <div className="page">
      <PageHeader
        title="Triage"
        subtitle="Reports of security events and weaknesses: assess each one, then dismiss it, merge it into an incident or promote it to a new one."
        actions={
          <button type="button" className="btn" onClick={() => setGeneration((g) => g + 1)}>
            Refresh
          </button>
        }
      />
      <div className="card">
        <div className="grid-2">
          <Field label="Show">
            {(p) => (
              <select {...p} value={view} onChange={(e) => setParams(e.target.value === 'open' ? {} : { view: e.target.value })}>
                {Object.entries(VIEWS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <ErrorMessage>{error ? describeError(error) : null}</ErrorMessage>
        {loading && items.length === 0 ? <Loading /> : null}
        {!loading && !error && items.length === 0 ? (
          <EmptyState title={view === 'decided' ? 'Nothing decided yet' : 'The queue is empty'}>
            {view === 'decided' ? 'Decided reports show up here.' : 'Every report has been decided. New reports show up here, oldest first.'}
          </EmptyState>
        ) : null}
        <ul className="event-lines" aria-label="Reports">
          {items.map((e) => (
            <li key={e.key} className="event-line" data-key={e.key}>
              <div className="event-line-head">
                <Link to={`/reports/${e.key}`} className="key">
                  {e.key}
                </Link>
                <EventStatusBadge status={e.status} />
                <span className="badge status">{e.kind === 'weakness' ? 'Weakness' : 'Event'}</span>
                {e.incident ? (
                  <Link to={`/incidents/${e.incident}`} className="key">
                    {e.incident}
                  </Link>
                ) : null}
              </div>
              <div className="event-line-title">
                <Link to={`/reports/${e.key}`}>{e.title}</Link>
              </div>
              <div className="muted small">
                {reporterName(e)} · {e.channel} · reported {formatRelative(e.created_at)}
              </div>
            </li>
          ))}
        </ul>
        {cursor ? (
          <div className="table-foot">
            <button type="button" className="btn" disabled={loading} onClick={() => void load(cursor)}>
              {loading ? 'Loading…' : 'Load more'}
            </button>
          </div>
        ) : null}
      </div>
    </div>
  );
}
