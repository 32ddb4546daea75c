import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, query } from '../api/client';
import type { Incident, Notification, Page } from '../api/types';
import { OPEN_STATUSES } from '../api/types';
import { currentClock, IncidentLine } from '../components/IncidentRow';
import { ErrorMessage, Loading, PageHeader } from '../components/ui';
import { formatRelative } from '../lib/format';
import { useApi, useTitle } from '../lib/hooks';
import { describeError } from '../lib/problem';
import { useMe } from '../lib/session';
import { DemoOffer } from '../components/DemoOffer';
import { MyReports } from '../components/MyReports';

const OPEN = OPEN_STATUSES.join(',');

// A list of incidents for the home page, with a link to the full queue.
function Panel({ title, path, queue, empty, filter }: { title: string; path: string; queue: string; empty: string; filter?: (i: Incident) => boolean }) {
  const list = useApi<Page<Incident>>(path);
  const readAt = useMemo(() => Date.now(), [list.data]);
  const items = (list.data?.items ?? []).filter(filter ?? (() => true));
  return (
    <section className="card" aria-labelledby={`h-${title}`}>
      <div className="card-head">
        <h2 id={`h-${title}`}>{title}</h2>
        <Link to={`/incidents?${queue}`} className="small">
          Open in the queue
        </Link>
      </div>
      {list.loading && !list.data ? <Loading /> : null}
      <ErrorMessage>{list.error ? describeError(list.error) : null}</ErrorMessage>
      {list.data && items.length === 0 ? <p className="muted">{empty}</p> : null}
      <ul className="incident-lines">
        {items.map((i) => (
          <IncidentLine key={i.key} incident={i} readAt={readAt} />
        ))}
      </ul>
    </section>
  );
}

function Notifications() {
  const list = useApi<Page<Notification>>('/api/v1/me/notifications?limit=10');
  const items = list.data?.items ?? [];
  async function read(n: Notification) {
    await api.post(`/api/v1/me/notifications/${n.id}/read`).catch(() => undefined);
    await list.reload();
  }
  if (!list.data || items.length === 0) return null;
  return (
    <section className="card" aria-labelledby="h-notif">
      <h2 id="h-notif">Notifications</h2>
      <ul className="notifications">
        {items.map((n) => (
          <li key={n.id} className={n.read ? 'read' : 'unread'}>
            <span className={`dot kind-${n.kind.replace(/\./g, '-')}`} aria-hidden="true" />
            <div>
              {n.incident ? <Link to={`/incidents/${n.incident}`}>{n.incident}</Link> : null} {n.message}
              <div className="muted small">{formatRelative(n.created_at)}</div>
            </div>
            {!n.read ? (
              <button type="button" className="btn btn-quiet small" onClick={() => void read(n)}>
                Mark read
              </button>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Home() {
  const { me, can } = useMe();
  useTitle('Home');
  // Bumped when demo data arrives, so that the lists below are read again.
  const [generation, setGeneration] = useState(0);
  const name = me.display_name || me.username;

  if (!can.work && !can.readOnly) {
    // Reporters: report, and see what became of their reports.
    return (
      <div className="page narrow">
        <PageHeader title={`Hello, ${name}`} subtitle="Noticed something odd? Reporting it takes a minute, and helps everyone." />
        <div className="report-cta card">
          <div>
            <h2>Report a security event or weakness</h2>
            <p className="muted">A suspicious e-mail, a lost laptop, a door that does not lock, an account acting strangely.</p>
          </div>
          <Link to="/report" className="btn btn-primary btn-large">
            Report an event
          </Link>
        </div>
        <MyReports />
      </div>
    );
  }

  if (can.readOnly) {
    return (
      <div className="page">
        <PageHeader title={`Hello, ${name}`} subtitle="Read-only access for audit: incidents, problems and the audit trail." />
        <div className="home-grid">
          <Panel title="Open major incidents" path={`/api/v1/incidents${query({ major: true, status: OPEN, limit: 10 })}`} queue={`major=true&status=${OPEN}`} empty="No major incident is open." />
          <section className="card">
            <h2>Audit trail</h2>
            <p className="muted">Every change is recorded in a hash-chained, signed log.</p>
            {can.audit ? (
              <Link to="/audit" className="btn">
                Open and verify the audit trail
              </Link>
            ) : null}
          </section>
        </div>
      </div>
    );
  }

  if (can.manage) {
    return (
      <div className="page">
        <PageHeader title={`Hello, ${name}`} subtitle="Open P1/P2 and major incidents, breaches and escalations." />
        <DemoOffer onLoaded={() => setGeneration((g) => g + 1)} />
        <div className="home-grid" key={generation}>
          <Panel title="Open P1 and P2" path={`/api/v1/incidents${query({ priority: '1,2', status: OPEN, sort: 'due', limit: 10 })}`} queue={`priority=1,2&status=${OPEN}&sort=due`} empty="No P1 or P2 incident is open." />
          <Panel title="Major incidents" path={`/api/v1/incidents${query({ major: true, status: OPEN, limit: 10 })}`} queue={`major=true&status=${OPEN}`} empty="No major incident is open." />
          <Panel
            title="Breached or at risk"
            path={`/api/v1/incidents${query({ status: OPEN, sort: 'due', limit: 25 })}`}
            queue={`status=${OPEN}&sort=due`}
            empty="Every open incident is within its service levels."
            filter={(i) => {
              const c = currentClock(i);
              return !!c && (c.clock.breached || c.clock.percent >= 75);
            }}
          />
          <Notifications />
        </div>
      </div>
    );
  }

  // Agents and admins: their own queue, what nobody has taken, and what is about to breach.
  return (
    <div className="page">
      <PageHeader
        title={`Hello, ${name}`}
        subtitle="Your queue, unowned incidents and SLA risks."
        actions={
          <Link to="/incidents/new" className="btn">
            New incident
          </Link>
        }
      />
      <DemoOffer onLoaded={() => setGeneration((g) => g + 1)} />
      <div className="home-grid" key={generation}>
        <Panel title="Assigned to you" path={`/api/v1/incidents${query({ assignee: 'me', status: OPEN, sort: 'due', limit: 10 })}`} queue={`assignee=me&status=${OPEN}&sort=due`} empty="Nothing is assigned to you. Take one from the unassigned incidents." />
        <Panel title="Waiting for an owner" path={`/api/v1/incidents${query({ assignee: 'none', status: OPEN, sort: 'due', limit: 10 })}`} queue={`assignee=none&status=${OPEN}&sort=due`} empty="Every open incident has an owner." />
        <Panel
          title="SLA at risk"
          path={`/api/v1/incidents${query({ status: OPEN, sort: 'due', limit: 25 })}`}
          queue={`status=${OPEN}&sort=due`}
          empty="No open incident is close to breaching."
          filter={(i) => {
            const c = currentClock(i);
            return !!c && (c.clock.breached || c.clock.percent >= 50);
          }}
        />
        <Notifications />
        {can.admin ? (
          <section className="card" aria-labelledby="h-admin">
            <h2 id="h-admin">Administration</h2>
            <ul className="plain">
              <li>
                <Link to="/admin/users">Users and roles</Link> — accounts for colleagues; people who only report get the reporter role.
              </li>
              <li>
                <Link to="/admin/groups">Support groups</Link> — who works incidents, and where they escalate.
              </li>
              <li>
                <Link to="/admin/calendars">Business calendars</Link> — your working hours and holidays, for the SLA clocks.
              </li>
              <li>
                <Link to="/audit">Audit trail</Link> — every change, verifiable.
              </li>
            </ul>
          </section>
        ) : null}
      </div>
    </div>
  );
}
