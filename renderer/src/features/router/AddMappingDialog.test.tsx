// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AddMappingDialog } from './AddMappingDialog.tsx';

afterEach(cleanup);

function open(behindAnotherNat: string | null) {
  const onClose = vi.fn();
  const onAdd = vi.fn();
  render(
    <AddMappingDialog
      available={['upnp', 'natpmp']}
      existing={[]}
      localAddress="192.168.1.10"
      behindAnotherNat={behindAnotherNat}
      busy={false}
      onAdd={onAdd}
      onClose={onClose}
    />,
  );
  return { onClose, onAdd };
}

describe('add-mapping dialog', () => {
  it('warns that a mapping behind CGNAT reaches no one', () => {
    open("The router's external address 100.64.0.2 is in the CGNAT range.");
    expect(screen.getByTestId('add-mapping-cgnat').textContent).toContain(
      'This mapping will not make you reachable from the internet.',
    );
  });

  it('adds nothing until confirmed; a range becomes one request per port', async () => {
    const { onAdd } = open(null);
    fireEvent.change(screen.getByLabelText('External port'), { target: { value: '16384-16386' } });
    fireEvent.change(screen.getByLabelText('Internal port'), { target: { value: '20000' } });
    const add = screen.getByRole('button', { name: 'Add 3 mappings' }) as HTMLButtonElement;
    expect(add.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText('I understand; open this port'));
    await act(async () => fireEvent.click(add));
    expect(
      onAdd.mock.calls[0]![0].map((r: { externalPort: number; internalPort: number }) => [
        r.externalPort,
        r.internalPort,
      ]),
    ).toEqual([
      [16384, 20000],
      [16385, 20001],
      [16386, 20002],
    ]);
  });

  it('closes on Escape and keeps the app behind it inert while open', () => {
    const root = document.createElement('div');
    root.id = 'root';
    document.body.append(root);
    const { onClose } = open(null);
    expect(root.hasAttribute('inert')).toBe(true);
    fireEvent.keyDown(document, { key: 'Escape' });
    expect(onClose).toHaveBeenCalled();
    root.remove();
  });
});
