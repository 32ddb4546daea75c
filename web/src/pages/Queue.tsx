import { useEffect, useLayoutEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { api, query } from '../api/client';
import type { Category, Group, Incident, Page, SavedView, User } from '../api/types';
import { OPEN_STATUSES, STATUSES } from '../api/types';
import { IncidentSla } from '../components/IncidentRow';
import { EmptyState, ErrorMessage, Field, Loading, Notice, PageHeader, PriorityBadge, StatusBadge } from '../components/ui';
import { formatRelative } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { STATUS_LABELS } from '../lib/priority';
import { describeError } from '../lib/problem';
import { activeFilterCount, apiQuery, EMPTY_FILTERS, filtersToQuery, parseFilters, SORTS, toggle, type QueueFilters } from '../lib/queue';
import { useLiveChanges } from '../lib/live';
import { useMe } from '../lib/session';

// Performance marks around the render of the queue's rows: from the answer's arrival to the table
// in the document (the browser tests hold it under 100 ms for 50 rows).
const QUEUE_ROWS_MARK = 'custos:queue-rows';
const QUEUE_RENDER_MEASURE = 'custos:queue-render';
// Rows per page (lib/queue asks the server for this many).
const PAGE_SIZE = 50;

interface Rows {
  items: Incident[];
  next: string | null;
  readAt: number;
}

export function Queue() {
  const { me, can } = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const filters = useMemo(() => parseFilters(location.search), [location.search]);
  const queryString = filtersToQuery(filters);
  useTitle(can.work || can.readOnly ? 'Incidents' : 'My incidents');

  const [rows, setRows] = useState<Rows | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [search, setSearch] = useState(filters.q);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const request = useRef(0);

  const categories = useApi<Page<Category>>('/api/v1/categories', { cached: true });
  const groups = useApi<Page<Group>>(can.work || can.readOnly ? '/api/v1/groups' : null, { cached: true });
  const views = useApi<Page<SavedView>>('/api/v1/me/views');

  useEffect(() => setSearch(filters.q), [filters.q]);

  // Reload the first page whenever the filters change; a later answer replaces an earlier one.
  useEffect(() => {
    const mine = ++request.current;
    const controller = new AbortController();
    setError(null);
    setRows(null);
    setSelected(new Set());
    api
      .get<Page<Incident>>(`/api/v1/incidents${apiQuery(filters, null)}`, { signal: controller.signal })
      .then((page) => {
        if (mine !== request.current) return;
        performance.mark(QUEUE_ROWS_MARK);
        setRows({ items: page.items, next: page.next_cursor, readAt: Date.now() });
      })
      .catch((e) => {
        if (mine === request.current && (e as Error).name !== 'AbortError') setError(e);
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryString]);

  // Changes made elsewhere appear in the list as they happen: a listed incident is read again in
  // place; anything else (a new incident, one that may now match) refreshes the first page, unless
  // the user has paged further (then the list stays as it is rather than jump under them).
  const refreshing = useRef<ReturnType<typeof setTimeout> | null>(null);
  useLiveChanges((c) => {
    if ((c.type !== 'incident' && c.type !== 'resync') || !rows) return;
    const listed = c.type === 'incident' ? rows.items.find((i) => i.key === c.key) : undefined;
    if (listed) {
      if (c.version !== undefined && c.version <= listed.version) return;
      api
        .get<Incident>(`/api/v1/incidents/${encodeURIComponent(c.key)}`)
        .then((fresh) => setRows((r) => (r ? { ...r, items: r.items.map((i) => (i.key === fresh.key ? fresh : i)) } : r)))
        .catch(() => undefined);
      return;
    }
    if (rows.items.length > PAGE_SIZE || refreshing.current) return;
    // Several changes in a burst (a bulk assignment) cost one request.
    refreshing.current = setTimeout(() => {
      refreshing.current = null;
      const mine = request.current;
      api
        .get<Page<Incident>>(`/api/v1/incidents${apiQuery(filters, null)}`)
        .then((page) => {
          if (mine === request.current) setRows((r) => (r && r.items.length <= PAGE_SIZE ? { items: page.items, next: page.next_cursor, readAt: Date.now() } : r));
        })
        .catch(() => undefined);
    }, 300);
  });
  useEffect(() => () => {
    if (refreshing.current) clearTimeout(refreshing.current);
  }, []);

  async function loadMore() {
    if (!rows?.next) return;
    setLoadingMore(true);
    try {
      const page = await api.get<Page<Incident>>(`/api/v1/incidents${apiQuery(filters, rows.next)}`);
      setRows((r) => (r ? { items: [...r.items, ...page.items], next: page.next_cursor, readAt: r.readAt } : r));
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  function apply(next: QueueFilters) {
    const qs = filtersToQuery(next);
    navigate({ pathname: '/incidents', search: qs ? `?${qs}` : '' });
  }

  function submitSearch(e: FormEvent) {
    e.preventDefault();
    apply({ ...filters, q: search });
  }

  const topCategories = (categories.data?.items ?? []).filter((c) => c.parent === null && c.active);
  const count = activeFilterCount(filters);
  const title = can.work || can.readOnly ? 'Incidents' : 'My incidents';

  return (
    <div className="page wide">
      <PageHeader
        title={title}
        subtitle={can.work || can.readOnly ? 'Everything you may see, newest first unless you sort otherwise.' : 'The events and weaknesses you reported, and what became of them.'}
        actions={
          can.work ? (
            <Link to="/incidents/new" className="btn btn-primary">
              New incident
            </Link>
          ) : null
        }
      />
      <div className="queue-layout">
        <aside id="queue-filters" className={`filters${filtersOpen ? ' open' : ''}`} aria-label="Filters">
          <SavedViews views={views.data?.items ?? []} current={queryString} onReload={views.reload} />
          <fieldset className="chips">
            <legend>Status</legend>
            <button type="button" className={`chip${filters.status.join() === [...OPEN_STATUSES].sort().join() ? ' on' : ''}`} aria-pressed={filters.status.join() === [...OPEN_STATUSES].sort().join()} onClick={() => apply({ ...filters, status: [...OPEN_STATUSES].sort() })}>
              All open
            </button>
            {STATUSES.map((s) => (
              <button key={s} type="button" className={`chip${filters.status.includes(s) ? ' on' : ''}`} aria-pressed={filters.status.includes(s)} onClick={() => apply({ ...filters, status: toggle(filters.status, s) })}>
                {STATUS_LABELS[s]}
              </button>
            ))}
          </fieldset>
          <fieldset className="chips">
            <legend>Priority</legend>
            {['1', '2', '3', '4'].map((p) => (
              <button key={p} type="button" className={`chip prio-chip prio-${p}${filters.priority.includes(p) ? ' on' : ''}`} aria-pressed={filters.priority.includes(p)} onClick={() => apply({ ...filters, priority: toggle(filters.priority, p) })}>
                P{p}
              </button>
            ))}
          </fieldset>
          {can.work || can.readOnly ? (
            <>
              <Field label="Assignee">
                {(p) => (
                  <select {...p} value={filters.assignee} onChange={(e) => apply({ ...filters, assignee: e.target.value })}>
                    <option value="">Anyone</option>
                    <option value="me">Me ({me.username})</option>
                    <option value="none">Nobody yet</option>
                  </select>
                )}
              </Field>
              <Field label="Group">
                {(p) => (
                  <select {...p} value={filters.group} onChange={(e) => apply({ ...filters, group: e.target.value })}>
                    <option value="">Any group</option>
                    <option value="none">No group</option>
                    {(groups.data?.items ?? []).map((g) => (
                      <option key={g.name} value={g.name}>
                        {g.display_name || g.name}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
            </>
          ) : null}
          <Field label="Category">
            {(p) => (
              <select {...p} value={filters.category} onChange={(e) => apply({ ...filters, category: e.target.value })}>
                <option value="">Any category</option>
                {topCategories.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Major incidents">
            {(p) => (
              <select {...p} value={filters.major} onChange={(e) => apply({ ...filters, major: e.target.value as QueueFilters['major'] })}>
                <option value="">Major or not</option>
                <option value="true">Major only</option>
                <option value="false">Not major</option>
              </select>
            )}
          </Field>
          <Field label="Sort">
            {(p) => (
              <select {...p} value={filters.sort} onChange={(e) => apply({ ...filters, sort: e.target.value })}>
                {Object.entries(SORTS).map(([k, v]) => (
                  <option key={k} value={k}>
                    {v}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {count > 0 ? (
            <button type="button" className="btn btn-quiet" onClick={() => apply({ ...EMPTY_FILTERS, sort: filters.sort })}>
              Clear {count} filter{count === 1 ? '' : 's'}
            </button>
          ) : null}
        </aside>
        <section className="results" aria-label="Incidents" aria-busy={rows === null}>
          <form role="search" onSubmit={submitSearch} className="search">
            <label htmlFor="q" className="sr-only">
              Search incidents
            </label>
            <input id="q" type="search" placeholder="Search incidents" value={search} onChange={(e) => setSearch(e.target.value)} />
            <button type="submit" className="btn">
              Search
            </button>
            <button type="button" className="btn filters-toggle" aria-expanded={filtersOpen} aria-controls="queue-filters" onClick={() => setFiltersOpen((o) => !o)}>
              Filters{count ? ` (${count})` : ''}
            </button>
          </form>
          <ErrorMessage>{error ? describeError(error) : null}</ErrorMessage>
          {rows === null && !error ? <Loading what="Loading incidents" /> : null}
          {rows && rows.items.length === 0 ? (
            <EmptyState
              title={count ? 'No incident matches these filters' : can.work ? 'The queue is empty' : 'You have not reported anything yet'}
              action={
                count ? (
                  <button type="button" className="btn" onClick={() => apply({ ...EMPTY_FILTERS })}>
                    Clear the filters
                  </button>
                ) : can.report ? (
                  <Link to="/report" className="btn btn-primary">
                    Report an event
                  </Link>
                ) : null
              }
            >
              {count ? 'Try fewer filters or other words.' : can.work ? 'New reports appear here as they come in.' : 'When you notice something suspicious, report it here.'}
              {!count && can.admin ? (
                <>
                  {' '}
                  To explore custos with realistic incidents first, <Link to="/">load the demo data</Link> from the home page, or run{' '}
                  <code>custos demo load --incidents 200</code> on the server (not on a production database).
                </>
              ) : null}
            </EmptyState>
          ) : null}
          {rows && rows.items.length > 0 ? (
            <>
              {can.work ? <BulkAssign selected={selected} rows={rows.items} onDone={(updated) => {
                setRows((r) => (r ? { ...r, items: r.items.map((i) => updated.find((u) => u.key === i.key) ?? i) } : r));
                setSelected(new Set());
              }} /> : null}
              <IncidentTable rows={rows} selectable={can.work} selected={selected} onSelect={setSelected} />
              <div className="table-foot">
                <span className="muted">
                  {rows.items.length} shown{rows.next ? ', more available' : ''}
                </span>
                {rows.next ? (
                  <button type="button" className="btn" onClick={() => void loadMore()} disabled={loadingMore}>
                    {loadingMore ? 'Loading…' : 'Load more'}
                  </button>
                ) : null}
              </div>
            </>
          ) : null}
        </section>
      </div>
    </div>
  );
}

function IncidentTable({ rows, selectable, selected, onSelect }: { rows: Rows; selectable: boolean; selected: Set<string>; onSelect: (s: Set<string>) => void }) {
  const all = rows.items.length > 0 && rows.items.every((i) => selected.has(i.key));
  useLayoutEffect(() => {
    if (performance.getEntriesByName(QUEUE_ROWS_MARK, 'mark').length === 0) return;
    performance.measure(QUEUE_RENDER_MEASURE, QUEUE_ROWS_MARK);
    performance.clearMarks(QUEUE_ROWS_MARK);
  }, [rows]);
  return (
    <table className="incident-table">
      <thead>
        <tr>
          {selectable ? (
            <th scope="col" className="col-select">
              <input type="checkbox" aria-label="Select all shown incidents" checked={all} onChange={() => onSelect(all ? new Set() : new Set(rows.items.map((i) => i.key)))} />
            </th>
          ) : null}
          <th scope="col">Priority</th>
          <th scope="col">Incident</th>
          <th scope="col">Status</th>
          <th scope="col">Assignee</th>
          <th scope="col">SLA</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {rows.items.map((i) => (
          <tr key={i.key} className={selected.has(i.key) ? 'selected' : undefined}>
            {selectable ? (
              <td className="col-select">
                <input
                  type="checkbox"
                  aria-label={`Select ${i.key}`}
                  checked={selected.has(i.key)}
                  onChange={() => {
                    const next = new Set(selected);
                    if (next.has(i.key)) next.delete(i.key);
                    else next.add(i.key);
                    onSelect(next);
                  }}
                />
              </td>
            ) : null}
            <td data-label="Priority">
              <PriorityBadge priority={i.priority} />
            </td>
            <td className="col-title">
              <Link to={`/incidents/${i.key}`}>
                <span className="key">{i.key}</span>
                <span className="title-text">{i.title}</span>
              </Link>
              {i.major || i.restricted ? (
                <span className="row-flags">
                  {i.major ? <span className="badge major">Major</span> : null}
                  {i.restricted ? <span className="badge restricted">Restricted</span> : null}
                </span>
              ) : null}
            </td>
            <td data-label="Status">
              <StatusBadge status={i.status} />
            </td>
            <td data-label="Assignee">{i.assignee ?? <span className="muted">nobody</span>}</td>
            <td data-label="SLA">
              <IncidentSla incident={i} readAt={rows.readAt} />
            </td>
            <td data-label="Updated" className="muted">
              {formatRelative(i.updated_at)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SavedViews({ views, current, onReload }: { views: SavedView[]; current: string; onReload: () => Promise<void> }) {
  const navigate = useNavigate();
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const active = views.find((v) => v.query === current);

  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await api.post('/api/v1/me/views', { name: name.trim(), query: current });
      setNaming(false);
      setName('');
      await onReload();
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function remove(v: SavedView) {
    setError(null);
    try {
      await api.delete(`/api/v1/me/views/${v.id}`);
      await onReload();
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <div className="saved-views">
      <h2 className="filter-heading">Saved views</h2>
      {views.length === 0 ? <p className="muted small">Set filters, then save them here to come back in one click.</p> : null}
      <ul>
        {views.map((v) => (
          <li key={v.id} className={active?.id === v.id ? 'on' : undefined}>
            <button type="button" className="link" aria-current={active?.id === v.id ? 'true' : undefined} onClick={() => navigate({ pathname: '/incidents', search: v.query ? `?${v.query}` : '' })}>
              {v.name}
            </button>
            <button type="button" className="icon-btn" aria-label={`Delete the view ${v.name}`} onClick={() => void remove(v)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      {naming ? (
        <form onSubmit={save} className="inline-form">
          <label htmlFor="view-name" className="sr-only">
            Name of the view
          </label>
          <input id="view-name" autoFocus placeholder="Name, e.g. My P1/P2" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
          <button type="submit" className="btn" disabled={!name.trim()}>
            Save
          </button>
        </form>
      ) : !active ? (
        <button type="button" className="btn btn-quiet" onClick={() => setNaming(true)}>
          Save these filters as a view
        </button>
      ) : null}
      {error ? <p className="field-error" role="alert">{error}</p> : null}
    </div>
  );
}

// Assigns the selected incidents one by one (each PATCH carries the version it was read at, so
// one changed meanwhile is reported rather than overwritten).
function BulkAssign({ selected, rows, onDone }: { selected: Set<string>; rows: Incident[]; onDone: (updated: Incident[]) => void }) {
  const users = useApi<Page<User>>(selected.size ? `/api/v1/users${query({ limit: 200 })}` : null, { cached: true });
  const [assignee, setAssignee] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: number; failed: string[] } | null>(null);
  const workers = (users.data?.items ?? []).filter((u) => u.active && u.roles.some((r) => r !== 'reporter' && r !== 'auditor'));

  if (selected.size === 0) return result ? <Notice kind={result.failed.length ? 'warning' : 'success'}>{summary(result)}</Notice> : null;

  async function assign(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const updated: Incident[] = [];
    const failed: string[] = [];
    for (const i of rows.filter((r) => selected.has(r.key))) {
      try {
        updated.push(await api.patch<Incident>(`/api/v1/incidents/${i.key}`, { assignee: assignee || null }, i.version));
      } catch (err) {
        failed.push(`${i.key}: ${describeError(err)}`);
      }
    }
    setBusy(false);
    setResult({ ok: updated.length, failed });
    onDone(updated);
  }

  return (
    <form className="bulk-bar" onSubmit={assign} aria-label="Assign the selected incidents">
      <span>
        <strong>{selected.size}</strong> selected
      </span>
      <label htmlFor="bulk-assignee">Assign to</label>
      <select id="bulk-assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
        <option value="">Nobody (unassign)</option>
        {workers.map((u) => (
          <option key={u.username} value={u.username}>
            {u.display_name || u.username} ({u.username})
          </option>
        ))}
      </select>
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? 'Assigning…' : 'Assign'}
      </button>
    </form>
  );
}

function summary(r: { ok: number; failed: string[] }): string {
  const ok = `${r.ok} incident${r.ok === 1 ? '' : 's'} updated.`;
  return r.failed.length ? `${ok} Not updated: ${r.failed.join('; ')}` : ok;
}
