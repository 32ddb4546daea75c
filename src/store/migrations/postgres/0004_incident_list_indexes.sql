-- Incident lists at scale (a million incidents): the first page of a list filtered by status
-- and sorted by creation or by last update comes straight from an index that has the sort
-- order after the status, so the query stops after one page instead of sorting every incident
-- in those statuses. (status, priority, id) stays for status + priority filters.
CREATE INDEX incidents_status_updated ON incidents(status, updated_at, id);
CREATE INDEX incidents_status_id ON incidents(status, id);
