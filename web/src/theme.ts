import { createTheme, type CSSVariablesResolver, DEFAULT_THEME, type MantineColorsTuple } from '@mantine/core';

type Palette = readonly [string, string, string, string, string, string, string, string, string, string];

/**
 * Mantine's palettes with the shades that carry text darkened, so that every colour meets WCAG 2.1 AA
 * (4.5:1) wherever Mantine 9 puts text in it:
 * - shade 8 is the primary shade: filled buttons and badges (white text on it), outline text and borders,
 *   `c="red"`, links. Each shade 8 is at least 5:1 on white and 4.6:1 on its own shade 1.
 * - shade 9 is the text of light variants (badges, alerts, light buttons), on shade 1: at least 5.6:1.
 * - gray 6 is Mantine's dimmed (secondary) text: 5.8:1 on white, 4.8:1 on the tinted alert backgrounds.
 * Shades 0 to 7 are Mantine's (backgrounds, borders and the calendar's bars keep their look). `theme.test.ts`
 * checks every ratio, so a palette edit that breaks one fails there rather than in an axe run.
 */
export const PALETTES = {
  gray: ['#f8f9fa', '#f1f3f5', '#e9ecef', '#dee2e6', '#ced4da', '#adb5bd', '#5f666d', '#495057', '#343a40', '#212529'],
  red: ['#fff5f5', '#ffe3e3', '#ffc9c9', '#ffa8a8', '#ff8787', '#ff6b6b', '#fa5252', '#f03e3e', '#c52b2b', '#ae2424'],
  pink: ['#fff0f6', '#ffdeeb', '#fcc2d7', '#faa2c1', '#f783ac', '#f06595', '#e64980', '#d6336c', '#c0255b', '#a61e4d'],
  grape: ['#f8f0fc', '#f3d9fa', '#eebefa', '#e599f7', '#da77f2', '#cc5de8', '#be4bdb', '#ae3ec9', '#9935b1', '#852e9b'],
  violet: ['#f3f0ff', '#e5dbff', '#d0bfff', '#b197fc', '#9775fa', '#845ef7', '#7950f2', '#7048e8', '#6741d9', '#5c3bbe'],
  indigo: ['#edf2ff', '#dbe4ff', '#bac8ff', '#91a7ff', '#748ffc', '#5c7cfa', '#4c6ef5', '#4263eb', '#3a59d7', '#344cc0'],
  blue: ['#e7f5ff', '#d0ebff', '#a5d8ff', '#74c0fc', '#4dabf7', '#339af0', '#228be6', '#1c7ed6', '#1768b2', '#165b9c'],
  cyan: ['#e3fafc', '#c5f6fa', '#99e9f2', '#66d9e8', '#3bc9db', '#22b8cf', '#15aabf', '#1098ad', '#0b7486', '#0a6677'],
  teal: ['#e6fcf5', '#c3fae8', '#96f2d7', '#63e6be', '#38d9a9', '#20c997', '#12b886', '#0ca678', '#087a57', '#076b4d'],
  green: ['#ebfbee', '#d3f9d8', '#b2f2bb', '#8ce99a', '#69db7c', '#51cf66', '#40c057', '#37b24d', '#257b35', '#226c31'],
  lime: ['#f4fce3', '#e9fac8', '#d8f5a2', '#c0eb75', '#a9e34b', '#94d82d', '#82c91e', '#74b816', '#4a7a0b', '#436c09'],
  yellow: ['#fff9db', '#fff3bf', '#ffec99', '#ffe066', '#ffd43b', '#fcc419', '#fab005', '#f59f00', '#a05d00', '#954d00'],
  orange: ['#fff4e6', '#ffe8cc', '#ffd8a8', '#ffc078', '#ffa94d', '#ff922b', '#fd7e14', '#f76707', '#b54509', '#a5370b'],
} satisfies Record<string, Palette>;

/** Dense but readable on a 1366×768 laptop: small controls, system fonts, a clear focus ring, AA contrast. */
export const theme = createTheme({
  colors: { ...DEFAULT_THEME.colors, ...(PALETTES as Record<keyof typeof PALETTES, MantineColorsTuple>) },
  primaryColor: 'blue',
  // NOTE: accessibility. Shade 8 of every palette above takes white text at 5:1 or more; Mantine's default (6)
  // gave white on blue 3.6:1.
  primaryShade: 8,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
  fontSizes: { xs: '12px', sm: '13px', md: '14px', lg: '16px', xl: '18px' },
  defaultRadius: 'sm',
  focusRing: 'auto',
  components: {
    TextInput: { defaultProps: { size: 'sm' } },
    Textarea: { defaultProps: { size: 'sm' } },
    Select: { defaultProps: { size: 'sm' } },
    MultiSelect: { defaultProps: { size: 'sm' } },
    Button: { defaultProps: { size: 'sm' } },
    Table: { defaultProps: { verticalSpacing: 6, horizontalSpacing: 'sm', fz: 'sm' } },
    // Mantine's close buttons are an icon alone; give them a name (not "Close", which forms use for their own).
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close the dialog' } } },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close the panel' } } },
    // Mantine's focus placeholder in a menu is a focusable role="presentation" element, which a role="menu"
    // may not hold (axe: aria-required-children); arrow keys reach the items without it.
    Menu: { defaultProps: { withInitialFocusPlaceholder: false } },
    // Tabs never wrap onto a second row (a wrapped row reads as a second set of tabs): the list scrolls
    // sideways instead, and the tab that takes focus scrolls into view (styles.css).
    Tabs: { classNames: { list: 'cabinet-tabs-list', tab: 'cabinet-tab' } },
  },
});

/**
 * Colours Mantine takes from fixed shades rather than the primary shade: error text (red 6, 3.3:1 on white) and
 * placeholders, which Mantine draws as text in file inputs (gray 5, 2.1:1). Both now meet 4.5:1; placeholders
 * stay lighter than typed text.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-error': 'var(--mantine-color-red-8)',
    '--mantine-color-placeholder': '#6c757d',
    '--mantine-color-dimmed': 'var(--mantine-color-gray-6)',
  },
  dark: {},
});
