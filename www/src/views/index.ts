// The topology view of each scenario (a plain table where a scenario has no drawing yet).
import type { Snapshot } from '../types';
import { AspView } from './asp';
import { GenericView } from './generic';
import type { ScenarioView } from './view';

export function createView(first: Snapshot): ScenarioView {
  switch (first.scenario) {
    case 'asp':
      return new AspView(first);
    default:
      return new GenericView(first);
  }
}
