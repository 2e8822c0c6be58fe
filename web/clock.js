// The browser's wall clock in milliseconds with sub-millisecond precision (Date.now() counts whole
// milliseconds, too coarse for latencies of a fraction of one). Events carry the server's clock.
export const nowMs = () => performance.timeOrigin + performance.now();
