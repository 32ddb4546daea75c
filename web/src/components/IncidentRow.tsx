import { Link } from 'react-router-dom';
import type { Incident } from '../api/types';
import { formatRelative } from '../lib/format';
import { PriorityBadge, SlaBadge, StatusBadge } from './ui';

// The clock that matters now: time to own until someone owns it, then time to resolve.
export function currentClock(i: Incident) {
  if (!i.sla) return null;
  if (['resolved', 'closed', 'cancelled'].includes(i.status)) return null;
  if (!i.sla.response.met && ['new'].includes(i.status)) return { clock: i.sla.response, label: 'Own' };
  return { clock: i.sla.resolution, label: 'Resolve' };
}

export function IncidentSla({ incident, readAt }: { incident: Incident; readAt: number }) {
  const c = currentClock(incident);
  if (!c) return <span className="muted">—</span>;
  return <SlaBadge clock={c.clock} readAt={readAt} label={c.label} />;
}

// A compact line for the home page's lists.
export function IncidentLine({ incident, readAt }: { incident: Incident; readAt: number }) {
  return (
    <li className="incident-line">
      <PriorityBadge priority={incident.priority} />
      <div className="incident-line-main">
        <Link to={`/incidents/${incident.key}`} className="incident-title">
          <span className="key">{incident.key}</span> {incident.title}
        </Link>
        <div className="incident-line-meta">
          <StatusBadge status={incident.status} />
          {incident.major ? <span className="badge major">Major</span> : null}
          <span className="muted">{incident.assignee ? `@${incident.assignee}` : 'unassigned'}</span>
          <span className="muted">updated {formatRelative(incident.updated_at)}</span>
        </div>
      </div>
      <IncidentSla incident={incident} readAt={readAt} />
    </li>
  );
}
