import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { ApiError, api } from '../api/client';
import type { Category, Group, Incident, Page, User } from '../api/types';
import { EmptyState, ErrorMessage, Loading, PriorityBadge, SlaMeter, StatusBadge } from '../components/ui';
import { formatRelative } from '../lib/format';
import { prefetch, useApi, useTitle } from '../lib/hooks';
import { useLiveChanges } from '../lib/live';
import { describeError } from '../lib/problem';
import { useMe } from '../lib/session';
import { Details } from './incident/Details';
import { Evidence, prefetchEvidence } from './incident/Evidence';
import { Communications, DeclareMajor, MajorBanner } from './incident/Major';
import { prefetchRegulatory, Regulatory } from './incident/Regulatory';
import { Review } from './incident/Review';
import { Transitions } from './incident/Transitions';
import { Attachments, Links, Tasks, Timeline } from './incident/Work';
import { incidentPaths } from './incident/paths';

// How often an open incident page asks whether someone else changed it.
const REFRESH_MS = 20_000;

export function IncidentPage() {
  const { key = '' } = useParams();
  const { me, can } = useMe();
  const [incident, setIncident] = useState<Incident | null>(null);
  const [readAt, setReadAt] = useState(Date.now());
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  useTitle(incident ? `${incident.key} ${incident.title}` : key);

  const categories = useApi<Page<Category>>('/api/v1/categories', { cached: true });
  const groups = useApi<Page<Group>>(can.work || can.readOnly ? '/api/v1/groups' : null, { cached: true });
  const users = useApi<Page<User>>(can.work ? '/api/v1/users?limit=200' : null, { cached: true });
  const workers = (users.data?.items ?? []).filter((u) => u.active && u.roles.some((r) => ['agent', 'incident_manager', 'security_manager', 'admin'].includes(r)));

  const load = useCallback(
    // quiet: a background refresh (no loading state); `byOthers`: say that someone else changed it.
    async (quiet = false, byOthers = quiet) => {
      try {
        const i = await api.get<Incident>(incidentPaths(key).incident);
        setIncident((old) => {
          if (byOthers && old && old.version !== i.version) setNotice('Someone else updated this incident; the page shows the latest.');
          return i;
        });
        setReadAt(Date.now());
        setError(null);
      } catch (e) {
        if (!quiet) setError(e);
      }
    },
    [key],
  );

  useEffect(() => {
    setIncident(null);
    setNotice(null);
    // Everything the page shows is asked for together with the incident, not after it.
    const paths = incidentPaths(key);
    for (const p of [paths.timeline, paths.tasks, paths.attachments, paths.review, paths.actions]) prefetch(p);
    if (can.work || can.readOnly) {
      prefetch(paths.children);
      prefetchRegulatory(key);
    }
    if (can.evidence) prefetchEvidence(key);
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load]);

  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') void load(true);
    }, REFRESH_MS);
    return () => clearInterval(t);
  }, [load]);

  // Someone else changed this incident: show it as it is now, without a reload.
  // A change that leaves the version as it was (a worklog entry) still adds to the timeline.
  const [liveTick, setLiveTick] = useState(0);
  useLiveChanges((c) => {
    if (!incident) return;
    if (c.type === 'resync') {
      void load(true);
      setLiveTick((t) => t + 1);
      return;
    }
    if (c.type !== 'incident' || c.key !== incident.key) return;
    // This user's own change may be announced before its answer arrives: no notice for it.
    if (c.version !== undefined && c.version > incident.version) void load(true, c.actor !== `user:${me.username}`);
    else if (c.actor !== `user:${me.username}`) setLiveTick((t) => t + 1);
  });

  const changed = useCallback((i: Incident) => {
    setIncident(i);
    setReadAt(Date.now());
    setNotice(null);
  }, []);

  if (error) {
    const missing = error instanceof ApiError && error.status === 404;
    return (
      <div className="page narrow">
        {missing ? (
          <EmptyState title={`${key} was not found`} action={<Link className="btn" to="/incidents">{can.work || can.readOnly ? 'Back to the incidents' : 'Back to my reports'}</Link>}>
            It does not exist, or it is restricted to the people who need to know.
          </EmptyState>
        ) : (
          <ErrorMessage>{describeError(error)}</ErrorMessage>
        )}
      </div>
    );
  }
  if (!incident) return <Loading what={`Loading ${key}`} />;

  const stopped = ['resolved', 'closed', 'cancelled'].includes(incident.status);
  return (
    <div className="page incident-page">
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <Link to="/incidents">{can.work || can.readOnly ? 'Incidents' : 'My incidents'}</Link> <span aria-hidden="true">›</span> {incident.key}
      </nav>
      <MajorBanner incident={incident} />
      <header className="incident-head">
        <div className="incident-badges">
          <span className="key big">{incident.key}</span>
          <PriorityBadge priority={incident.priority} />
          <StatusBadge status={incident.status} />
          {incident.restricted ? <span className="badge restricted">Restricted</span> : null}
          <span className={`badge tlp tlp-${incident.tlp.replace('+', '-')}`}>TLP:{incident.tlp.toUpperCase()}</span>
        </div>
        <h1>{incident.title}</h1>
        <p className="muted">
          Reported by {incident.reporter ?? 'someone'} {formatRelative(incident.reported_at)} · updated {formatRelative(incident.updated_at)}
        </p>
      </header>
      <section className="incident-clocks" aria-label="Service levels">
        <SlaMeter clock={incident.sla.response} readAt={readAt} label="Time to own" />
        <SlaMeter clock={incident.sla.resolution} readAt={readAt} label="Time to resolve" />
        <p className="muted small clocks-note">
          {incident.sla.calendar === '24x7' ? 'Measured around the clock' : `Measured in the working hours of the “${incident.sla.calendar}” calendar`}
          {incident.status === 'pending' ? ' · paused while pending' : ''}
          {stopped && incident.sla.resolution.met ? ' · stopped when the incident was resolved' : ''}
        </p>
      </section>
      {notice ? (
        <div className="alert alert-info" role="status">
          {notice}
        </div>
      ) : null}
      <div className="incident-actions">
        <Transitions incident={incident} workers={workers} onChanged={changed} />
        <DeclareMajor incident={incident} workers={workers} onChanged={changed} />
      </div>
      <div className="incident-grid">
        <div className="incident-main">
          {incident.description ? (
            <section className="card" aria-labelledby="desc-h">
              <h2 id="desc-h">Description</h2>
              <div className="prose">{incident.description}</div>
            </section>
          ) : null}
          <Regulatory incident={incident} />
          <Review incident={incident} workers={workers} onChanged={() => void load(true)} />
          <Communications incident={incident} />
          <Evidence incident={incident} />
          <Timeline incident={incident} version={`${incident.version}.${liveTick}`} />
        </div>
        <aside className="incident-side">
          <Details incident={incident} categories={categories.data?.items ?? []} groups={groups.data?.items ?? []} workers={workers} onChanged={changed} />
          <Tasks incident={incident} workers={workers} />
          <Links incident={incident} onChanged={changed} />
          <Attachments incident={incident} />
        </aside>
      </div>
    </div>
  );
}
