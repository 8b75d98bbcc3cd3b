import '@testing-library/jest-dom';

/**
 * jsdom does no layout: every element measures 0×0, so a virtualized list would render no rows at all. Give
 * elements a viewport-sized box (a 600 px tall scroller shows about ten 56 px rows), and a ResizeObserver that
 * reports it once, as a browser does on observe().
 */
const BOX = { width: 800, height: 600 };

for (const [prop, value] of [
  ['offsetHeight', BOX.height],
  ['offsetWidth', BOX.width],
  ['clientHeight', BOX.height],
  ['clientWidth', BOX.width],
] as const) {
  Object.defineProperty(HTMLElement.prototype, prop, { configurable: true, get: () => value });
}
HTMLElement.prototype.getBoundingClientRect = function () {
  return {
    x: 0,
    y: 0,
    top: 0,
    left: 0,
    bottom: BOX.height,
    right: BOX.width,
    width: BOX.width,
    height: BOX.height,
    toJSON: () => ({}),
  } as DOMRect;
};

class ImmediateResizeObserver {
  constructor(private readonly callback: ResizeObserverCallback) {}
  observe(target: Element): void {
    const entry = {
      target,
      contentRect: target.getBoundingClientRect(),
      borderBoxSize: [{ blockSize: BOX.height, inlineSize: BOX.width }],
    };
    this.callback([entry as unknown as ResizeObserverEntry], this as unknown as ResizeObserver);
  }
  unobserve(): void {}
  disconnect(): void {}
}
(globalThis as { ResizeObserver?: unknown }).ResizeObserver = ImmediateResizeObserver;

if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener() {},
      removeListener() {},
      addEventListener() {},
      removeEventListener() {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// Component tests never touch the network (the API is faked per test). teams-js prefetches its list of valid host
// origins when loaded; without a fetch at all it would crash on import, so offline it is.
if (!('fetch' in globalThis)) {
  (globalThis as { fetch?: unknown }).fetch = () =>
    Promise.reject(new TypeError('no network in component tests'));
}
