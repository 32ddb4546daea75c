-- The security event (EVT-…) a ban raised or added a note to, so that its lift can name it too
-- (a webhook's body, the ban's API record).
ALTER TABLE detection_bans ADD COLUMN event_key TEXT;
