import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithProviders } from '../test/render';
import { ConfirmDialog } from './confirm-dialog';

describe('ConfirmDialog', () => {
  it('is a dialog named by its question, says what happens, and needs a reason before it confirms', async () => {
    const onConfirm = vi.fn();
    const onClose = vi.fn();
    renderWithProviders(
      <ConfirmDialog opened title="Cancel CHG0000001?" confirmLabel="Cancel the change" closeLabel="Keep the change" reason={{ label: 'Why?', required: true }} onConfirm={onConfirm} onClose={onClose}>
        Cancelling ends the change for good.
      </ConfirmDialog>,
    );
    const dialog = await screen.findByRole('dialog', { name: 'Cancel CHG0000001?' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(dialog.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toContain('Cancelling ends the change for good.');
    const reason = within(dialog).getByRole('textbox', { name: /Why\?/ });
    await waitFor(() => expect(document.activeElement).toBe(reason));

    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel the change' }));
    expect(await within(dialog).findByText('Give a reason: it is kept in the history.')).toBeTruthy();
    expect(reason.getAttribute('aria-invalid')).toBe('true');
    expect(onConfirm).not.toHaveBeenCalled();

    fireEvent.change(reason, { target: { value: '  Done by the vendor.  ' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel the change' }));
    expect(onConfirm).toHaveBeenCalledWith('Done by the vendor.');

    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep the change' }));
    expect(onClose).toHaveBeenCalled();
  });

  it('without a reason to ask for, puts focus on the button that backs out', async () => {
    renderWithProviders(
      <ConfirmDialog opened title="Leave without saving?" confirmLabel="Leave" closeLabel="Stay" onConfirm={() => undefined} onClose={() => undefined}>
        Your edits are lost.
      </ConfirmDialog>,
    );
    const dialog = await screen.findByRole('dialog', { name: 'Leave without saving?' });
    await waitFor(() => expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Stay' })));
  });
});
