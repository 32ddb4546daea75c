import type { EventStatus } from '../api/types';
import { EVENT_STATUS_LABELS } from '../lib/events';

export function EventStatusBadge({ status }: { status: EventStatus }) {
  return <span className={`badge evt-status evt-status-${status}`}>{EVENT_STATUS_LABELS[status] ?? status}</span>;
}
