/** Playing: each animation frame moves the cursor by the wall time since the last × the speed chosen. */
import type { Store } from './store.js';

export function startPlayer(store: Store): void {
  let lastFrame = 0;
  const frame = (now: number) => {
    const { playing, speed, cursorUs } = store.state;
    if (playing && store.model) {
      if (lastFrame > 0) {
        const next = cursorUs + (now - lastFrame) * 1000 * speed;
        if (next >= store.model.endUs) store.set({ cursorUs: store.model.endUs, playing: false });
        else store.set({ cursorUs: next });
      }
      lastFrame = now;
    } else {
      lastFrame = 0;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
