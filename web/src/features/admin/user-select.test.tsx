import { fireEvent, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeServer, renderWithProviders } from '../../test/render';
import { UserSelect } from './user-select';

afterEach(() => vi.unstubAllGlobals());

function Picker({ initial = null }: { initial?: string | null }) {
  const [value, setValue] = useState<string | null>(initial);
  return <UserSelect label="Change manager" value={value} onChange={setValue} />;
}

describe('UserSelect', () => {
  it('searches the people directory, not the admin-only user list, and names the chosen person by id', async () => {
    const server = fakeServer([
      {
        path: '/api/v1/people',
        body: {
          items: [
            { id: 'u_grace', name: 'Grace Hopper' },
            { id: 'u_alan', name: 'Alan Turing' },
          ],
          nextCursor: null,
        },
      },
    ]);
    vi.stubGlobal('fetch', server.fetch);
    renderWithProviders(<Picker initial="u_grace" />);
    const input = await screen.findByRole('combobox', { name: 'Change manager' });
    await waitFor(() => expect((input as HTMLInputElement).value).toBe('Grace Hopper'));
    expect(server.calls.some((c) => c.url.startsWith('/api/v1/people?ids=u_grace'))).toBe(true);

    (input as HTMLInputElement).focus();
    fireEvent.change(input, { target: { value: 'alan.t' } });
    await waitFor(() => expect(server.calls.map((c) => c.url)).toContain('/api/v1/people?q=alan.t&limit=50'));
    // An email match is offered under the person's name, not filtered away by the label.
    expect(await screen.findByRole('option', { name: 'Alan Turing', hidden: true })).toBeTruthy();
    expect(server.calls.some((c) => c.url.startsWith('/api/v1/users'))).toBe(false);
  });
});
