// The incident queue's filters: one object, kept in the page's URL (so a view can be bookmarked,
// shared and saved) and turned into the query of GET /api/v1/incidents.

export interface QueueFilters {
  q: string;
  status: string[]; // empty: any
  priority: string[]; // "1".."4"
  assignee: string; // '', 'me', 'none' or a username
  group: string;
  category: string;
  major: '' | 'true' | 'false';
  restricted: '' | 'true' | 'false';
  sort: string;
}

export const SORTS: Record<string, string> = {
  '-created': 'Newest first',
  created: 'Oldest first',
  '-updated': 'Recently updated',
  priority: 'Priority',
  due: 'Due soonest',
};

export const EMPTY_FILTERS: QueueFilters = {
  q: '',
  status: [],
  priority: [],
  assignee: '',
  group: '',
  category: '',
  major: '',
  restricted: '',
  sort: '-created',
};

const LIST_KEYS = ['status', 'priority'] as const;
const TEXT_KEYS = ['q', 'assignee', 'group', 'category', 'major', 'restricted', 'sort'] as const;

function csv(value: string | null): string[] {
  if (!value) return [];
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

// From a query string (the page URL's or a saved view's); unknown keys are ignored.
export function parseFilters(search: string): QueueFilters {
  const p = new URLSearchParams(search.startsWith('?') ? search.slice(1) : search);
  const f: QueueFilters = { ...EMPTY_FILTERS, status: [], priority: [] };
  f.status = csv(p.get('status'));
  f.priority = csv(p.get('priority')).map((x) => x.replace(/^[Pp]/, ''));
  f.q = p.get('q') ?? '';
  f.assignee = p.get('assignee') ?? '';
  f.group = p.get('group') ?? '';
  f.category = p.get('category') ?? '';
  const major = p.get('major');
  f.major = major === 'true' || major === 'false' ? major : '';
  const restricted = p.get('restricted');
  f.restricted = restricted === 'true' || restricted === 'false' ? restricted : '';
  const sort = p.get('sort');
  f.sort = sort && sort in SORTS ? sort : EMPTY_FILTERS.sort;
  return f;
}

// The query string for both the page URL and the API (without cursor and limit); stable order,
// defaults left out, so equal filters give equal strings.
export function filtersToQuery(f: QueueFilters): string {
  const p = new URLSearchParams();
  for (const k of LIST_KEYS) if (f[k].length) p.set(k, [...f[k]].sort().join(','));
  for (const k of TEXT_KEYS) {
    const v = f[k].trim();
    if (!v) continue;
    if (k === 'sort' && v === EMPTY_FILTERS.sort) continue;
    p.set(k, v);
  }
  return p.toString();
}

export function apiQuery(f: QueueFilters, cursor: string | null, limit = 50): string {
  const p = new URLSearchParams(filtersToQuery(f));
  p.set('limit', String(limit));
  if (cursor) p.set('cursor', cursor);
  return `?${p.toString()}`;
}

export function activeFilterCount(f: QueueFilters): number {
  let n = 0;
  if (f.q.trim()) n++;
  if (f.status.length) n++;
  if (f.priority.length) n++;
  for (const k of ['assignee', 'group', 'category', 'major', 'restricted'] as const) if (f[k]) n++;
  return n;
}

export function toggle(list: string[], value: string): string[] {
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}
