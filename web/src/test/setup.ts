import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

// NOTE: the page tests render whole pages in happy-dom; on a busy 2-core CI machine a page can take seconds to
// settle. `findBy…`/`waitFor` wait up to 5 s (Testing Library's default is 1 s); a test that passes waits no longer.
configure({ asyncUtilTimeout: 5000 });

// The DOM (happy-dom) lacks layout APIs Mantine asks for; these stand-ins answer "no match" and "no size".
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
window.ResizeObserver ??= ResizeObserverStub as unknown as typeof ResizeObserver;
window.HTMLElement.prototype.scrollIntoView ??= function scrollIntoView() {};

// NOTE: Mantine's autosize Textarea listens on document.fonts, which happy-dom does not implement.
if (!('fonts' in document)) {
  Object.defineProperty(document, 'fonts', {
    value: { addEventListener: () => {}, removeEventListener: () => {}, ready: Promise.resolve() },
  });
}

// happy-dom has no window.confirm; the pages that ask first are tested by spying on it.
if (typeof window.confirm !== 'function') window.confirm = () => false;

afterEach(() => cleanup());
