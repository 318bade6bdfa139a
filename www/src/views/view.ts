// What every scenario's topology view provides to the page.
import type { Snapshot } from '../types';

export interface ScenarioView {
  /** The view's root element, mounted once by the page. */
  readonly element: Element;
  /** Draws `snapshot`; `animate` asks for the decision to be shown moving (off when playing fast). */
  render(snapshot: Snapshot, animate: boolean): void;
  /**
   * One line about the snapshot's last decision for the decision log, with a stable key (the same
   * decision gives the same key) and the chosen target; null when there is none.
   */
  describe(snapshot: Snapshot): { key: string; target: string; text: string; bad: boolean } | null;
}
