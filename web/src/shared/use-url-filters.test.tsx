import { act, render } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router';
import { describe, expect, it } from 'vitest';
import { useUrlFilters } from './use-url-filters';

const KEYS = ['record', 'actor', 'action'] as const;

function harness() {
  const seen: { search: string; hook: ReturnType<typeof useUrlFilters<(typeof KEYS)[number]>> }[] = [];
  function Probe() {
    const hook = useUrlFilters(KEYS);
    const location = useLocation();
    seen.push({ search: location.search, hook });
    return null;
  }
  render(
    <MemoryRouter initialEntries={['/audit?record=CHG0000001']}>
      <Probe />
    </MemoryRouter>,
  );
  return { first: () => seen[0]!.hook, last: () => seen.at(-1)! };
}

describe('useUrlFilters', () => {
  it('does not bring back a cleared filter when a picker calls an onChange from an earlier render', () => {
    const { first, last } = harness();
    expect(last().hook.filters).toEqual({ record: 'CHG0000001' });
    act(() => last().hook.clear());
    expect(last().search).toBe('');
    // The Person picker still holds the setFilter of the render before Clear.
    act(() => first().setFilter('actor', 'alice'));
    expect(last().search).toBe('?actor=alice');
    expect(last().hook.filters).toEqual({ actor: 'alice' });
  });

  it('keeps both of two filters set before the next render', () => {
    const { last } = harness();
    act(() => {
      const { setFilter } = last().hook;
      setFilter('actor', 'alice');
      setFilter('action', 'change.created');
    });
    expect(new URLSearchParams(last().search)).toEqual(new URLSearchParams('record=CHG0000001&actor=alice&action=change.created'));
    act(() => last().hook.setFilter('record', ''));
    expect(last().hook.filters).toEqual({ actor: 'alice', action: 'change.created' });
  });
});
