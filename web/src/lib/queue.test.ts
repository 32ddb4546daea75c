import { describe, expect, it } from 'vitest';
import { activeFilterCount, apiQuery, EMPTY_FILTERS, filtersToQuery, parseFilters, toggle } from './queue';

describe('queue filters', () => {
  it('round-trip through the URL in a stable order', () => {
    const f = { ...EMPTY_FILTERS, q: 'phishing invoice', status: ['pending', 'new'], priority: ['2', '1'], assignee: 'me', sort: 'due' };
    const qs = filtersToQuery(f);
    expect(qs).toBe('status=new%2Cpending&priority=1%2C2&q=phishing+invoice&assignee=me&sort=due');
    expect(parseFilters(`?${qs}`)).toEqual({ ...f, status: ['new', 'pending'], priority: ['1', '2'] });
  });

  it('leave defaults out, so equal filters give equal strings', () => {
    expect(filtersToQuery(EMPTY_FILTERS)).toBe('');
    expect(filtersToQuery({ ...EMPTY_FILTERS, q: '   ' })).toBe('');
  });

  it('ignore unknown or malformed values from a hand-edited URL', () => {
    const f = parseFilters('?sort=sideways&major=maybe&priority=P1,p3&cursor=abc');
    expect(f.sort).toBe('-created');
    expect(f.major).toBe('');
    expect(f.priority).toEqual(['1', '3']);
  });

  it('add the cursor and page size only for the API', () => {
    expect(apiQuery({ ...EMPTY_FILTERS, assignee: 'none' }, 'c42', 25)).toBe('?assignee=none&limit=25&cursor=c42');
    expect(apiQuery(EMPTY_FILTERS, null)).toBe('?limit=50');
  });

  it('count the filters in use', () => {
    expect(activeFilterCount(EMPTY_FILTERS)).toBe(0);
    expect(activeFilterCount({ ...EMPTY_FILTERS, status: ['new'], major: 'true', sort: 'due' })).toBe(2);
  });

  it('toggle a value in a list', () => {
    expect(toggle(['a'], 'b')).toEqual(['a', 'b']);
    expect(toggle(['a', 'b'], 'a')).toEqual(['b']);
  });
});
