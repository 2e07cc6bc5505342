import { describe, expect, it } from 'vitest';
import { PALETTES, theme } from './theme';

/** WCAG 2.1 relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2.1 contrast ratio of two colours. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const WHITE = '#ffffff';
const AA = 4.5;

describe('the palette meets WCAG 2.1 AA wherever Mantine puts text', () => {
  const colours = Object.entries(PALETTES).filter(([name]) => name !== 'gray');

  it.each(colours)('%s: white on the primary shade (filled buttons and badges)', (_name, shades) => {
    expect(contrast(WHITE, shades[theme.primaryShade as number]!)).toBeGreaterThanOrEqual(AA);
  });

  it.each(colours)('%s: the primary shade on white (outline, text, links) and on shade 1', (_name, shades) => {
    expect(contrast(shades[8], WHITE)).toBeGreaterThanOrEqual(AA);
    expect(contrast(shades[8], shades[1])).toBeGreaterThanOrEqual(AA);
  });

  it.each(colours)('%s: shade 9 on shade 1 (light badges, alerts and buttons)', (_name, shades) => {
    expect(contrast(shades[9], shades[1])).toBeGreaterThanOrEqual(AA);
  });

  it('dimmed text (gray 6) on white, on gray 0 and 1, and on the tinted alert backgrounds', () => {
    const dimmed = PALETTES.gray[6];
    for (const background of [WHITE, PALETTES.gray[0], PALETTES.gray[1], PALETTES.blue[0], PALETTES.red[1], PALETTES.yellow[1], PALETTES.orange[1], PALETTES.green[1]]) {
      expect(contrast(dimmed, background), `on ${background}`).toBeGreaterThanOrEqual(AA);
    }
  });

  it('takes shade 8 as the primary shade, so Mantine’s filled, outline and anchor colours use the shades checked above', () => {
    expect(theme.primaryShade).toBe(8);
    expect(theme.primaryColor).toBe('blue');
  });
});
