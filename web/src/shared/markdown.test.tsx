import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithProviders } from '../test/render';
import { MarkdownView } from './markdown';

describe('MarkdownView', () => {
  it('shows headings, lists, emphasis and tables as formatted text', () => {
    const text = [
      '# Minutes',
      '',
      '## Decisions',
      '',
      '- **CHG0000042**: approved',
      '- CHG0000043: *deferred*',
      '',
      '| who | present |',
      '|---|---|',
      '| Alice | yes |',
    ].join('\n');
    renderWithProviders(<MarkdownView text={text} headingOffset={1} />);
    expect(screen.getByRole('heading', { name: 'Minutes', level: 2 })).toBeTruthy();
    expect(screen.getByRole('heading', { name: 'Decisions', level: 3 })).toBeTruthy();
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(['CHG0000042: approved', 'CHG0000043: deferred']);
    expect(screen.getByText('CHG0000042').tagName).toBe('STRONG');
    expect(screen.getByText('deferred').tagName).toBe('EM');
    expect(screen.getByRole('cell', { name: 'Alice' })).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'present' })).toBeTruthy();
  });

  it('never inserts HTML from the text, keeps escaped characters literal, and refuses script links', () => {
    const text = 'Hello <img src=x onerror="alert(1)"> \\*not emphasis\\* [click](javascript:alert(1)) [docs](https://example.com/a)';
    const { container } = renderWithProviders(<MarkdownView text={text} />);
    expect(container.querySelector('img')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="alert(1)">');
    expect(container.textContent).toContain('*not emphasis*');
    expect(container.querySelector('em')).toBeNull();
    const links = [...container.querySelectorAll('a')];
    expect(links.map((a) => a.getAttribute('href'))).toEqual(['https://example.com/a']);
    expect(links[0]!.getAttribute('rel')).toBe('noopener noreferrer');
    expect(container.textContent).toContain('[click](javascript:alert(1))');
  });
});
