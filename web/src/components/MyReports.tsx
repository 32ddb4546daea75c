import { Link } from 'react-router-dom';
import type { EventReport, Page } from '../api/types';
import { ErrorMessage, Loading } from './ui';
import { EventStatusBadge } from './EventStatusBadge';
import { formatRelative } from '../lib/format';
import { useApi } from '../lib/hooks';
import { outcomeWords } from '../lib/events';
import { describeError } from '../lib/problem';

// The reporter's own reports (EVT-…) and what became of each: its status and, once promoted or
// merged, the incident to follow.
export function MyReports() {
  const list = useApi<Page<EventReport>>('/api/v1/events/mine?limit=20');
  const items = list.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="h-my-reports">
      <div className="card-head">
        <h2 id="h-my-reports">My reports</h2>
      </div>
      {list.loading && !list.data ? <Loading /> : null}
      <ErrorMessage>{list.error ? describeError(list.error) : null}</ErrorMessage>
      {list.data && items.length === 0 ? <p className="muted">You have not reported anything yet. What you report shows up here with what became of it.</p> : null}
      <ul className="event-lines">
        {items.map((e) => (
          <li key={e.key} className="event-line" data-key={e.key}>
            <div className="event-line-head">
              <Link to={`/reports/${e.key}`} className="key">
                {e.key}
              </Link>
              <EventStatusBadge status={e.status} />
              {e.incident ? (
                <Link to={`/incidents/${e.incident}`} className="key">
                  {e.incident}
                </Link>
              ) : null}
            </div>
            <div className="event-line-title">{e.title}</div>
            <div className="muted small">
              {outcomeWords(e)} Reported {formatRelative(e.created_at)}.
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
