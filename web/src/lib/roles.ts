import type { Role } from '../api/types';

// What a set of roles may do in the interface; the server enforces the same table
// (src/auth/roles.cpp), this only decides what to show.
export interface Abilities {
  report: boolean;
  work: boolean; // agents, managers, admins
  manage: boolean; // incident and security managers
  reference: boolean; // matrix, SLA, calendars, groups, categories
  admin: boolean; // users, tokens, lockouts
  audit: boolean;
  readUsers: boolean;
  readOnly: boolean;
  evidence: boolean; // read evidence items and their custody (auditors too)
  evidenceWork: boolean; // record items, upload, record custody, export
  legalHold: boolean; // set and release legal holds
}

export function abilities(roles: readonly Role[]): Abilities {
  const has = (...r: Role[]) => r.some((x) => roles.includes(x));
  const work = has('agent', 'incident_manager', 'security_manager', 'admin');
  return {
    report: has('reporter', 'agent', 'incident_manager', 'security_manager', 'admin'),
    work,
    manage: has('incident_manager', 'security_manager'),
    reference: has('incident_manager', 'admin'),
    admin: has('admin'),
    audit: has('auditor', 'admin'),
    readUsers: has('agent', 'incident_manager', 'security_manager', 'auditor', 'admin'),
    readOnly: !work && has('auditor'),
    evidence: has('agent', 'incident_manager', 'security_manager', 'auditor'),
    evidenceWork: has('agent', 'incident_manager', 'security_manager'),
    legalHold: has('incident_manager', 'security_manager'),
  };
}

export interface NavItem {
  to: string;
  label: string;
}

export function navigation(a: Abilities): NavItem[] {
  const items: NavItem[] = [{ to: '/', label: 'Home' }];
  if (a.work || a.readOnly) items.push({ to: '/incidents', label: 'Incidents' });
  else items.push({ to: '/incidents', label: 'My incidents' });
  if (a.work) items.push({ to: '/triage', label: 'Triage' });
  if (a.work || a.readOnly) items.push({ to: '/problems', label: 'Problems' });
  if (a.reference || a.admin) items.push({ to: '/admin', label: 'Administration' });
  if (a.audit) items.push({ to: '/audit', label: 'Audit trail' });
  return items;
}

export const ROLE_LABELS: Record<Role, string> = {
  reporter: 'Reporter',
  agent: 'Agent',
  incident_manager: 'Incident manager',
  security_manager: 'Security manager',
  auditor: 'Auditor',
  admin: 'Administrator',
  ingest: 'Log ingest (service account)',
};
