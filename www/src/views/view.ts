// What every scenario's topology view provides to the page.
import type { Snapshot } from '../types';

export interface ScenarioView {
  /** The view's root element, mounted once by the page. */
  readonly element: Element;
  /** Draws `snapshot`; `animate` asks for the decision to be shown moving (off when playing fast). */
  render(snapshot: Snapshot, animate: boolean): void;
}
