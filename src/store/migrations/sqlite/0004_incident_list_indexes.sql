-- Incident lists at scale (a million incidents): the first page of a list filtered by status
-- and sorted by creation or by last update comes straight from an index that has the sort
-- order after the status, so the query stops after one page instead of sorting every incident
-- in those statuses. (status, priority, id) stays for status + priority filters.
-- The id index is created last on purpose: without ANALYZE statistics SQLite picks the later of
-- two equally selective indexes, and a status filter with several statuses sorted by id (the
-- default list) must get this one.
CREATE INDEX incidents_status_updated ON incidents(status, updated_at, id);
CREATE INDEX incidents_status_id ON incidents(status, id);
