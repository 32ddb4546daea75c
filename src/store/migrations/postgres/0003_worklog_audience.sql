-- Communications of a (major) incident are worklog entries of kind 'communication'; the
-- audience records whom they were addressed to: internal, users, management, authorities, press.
ALTER TABLE worklog ADD COLUMN audience TEXT;
