// The API paths the parts of an incident page read. The page asks for all of them together with
// the incident itself (see prefetch in lib/hooks), so that they load in parallel rather than one
// after the other; the parts use the same strings, so they find the answers already on the way.
export function incidentPaths(key: string) {
  const base = `/api/v1/incidents/${encodeURIComponent(key)}`;
  return {
    incident: base,
    timeline: `${base}/timeline?limit=200`,
    tasks: `${base}/tasks`,
    attachments: `${base}/attachments`,
    review: `${base}/lessons-learned`,
    actions: `${base}/improvement-actions`,
    children: `${base}/children`,
    communications: `${base}/communications?limit=100`,
  };
}
