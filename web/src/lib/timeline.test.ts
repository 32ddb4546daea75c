import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '../api/types';
import { describeChange } from './timeline';

const change = (action: string, detail: Record<string, unknown> = {}): TimelineItem => ({ type: 'change', at: '2026-01-01T00:00:00Z', actor: 'alex', action, detail });

describe('describeChange', () => {
  it('tells a transition by its statuses', () => {
    expect(describeChange(change('incident.transition', { from: 'in_progress', to: 'pending' }))).toBe('moved it from In progress to Pending');
    expect(describeChange(change('incident.transition', { before: { status: 'resolved' }, after: { status: 'closed' } }))).toBe('moved it from Resolved to Closed');
  });

  it('names the fields an update changed, with their new values', () => {
    const text = describeChange(change('incident.update', { before: { assignee: null, impact: 'minor', version: 1 }, after: { assignee: 'alex', impact: 'minor', version: 2 } }));
    expect(text).toBe('changed assignee to alex');
  });

  it('says where a report came from', () => {
    expect(describeChange(change('incident.create', { source: 'portal' }))).toBe('reported this incident (portal)');
  });

  it('words the work on an incident, with the title when there is one', () => {
    expect(describeChange(change('incident.task_create', { after: { title: 'Reset the password' } }))).toBe('added the task “Reset the password”');
    expect(describeChange(change('incident.lessons_waive'))).toBe('waived the lessons-learned review');
  });

  it('falls back to the action itself for anything new', () => {
    expect(describeChange(change('incident.something_else'))).toBe('something else');
  });
});
