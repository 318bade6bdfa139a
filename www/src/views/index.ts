// The topology view of each scenario.
import type { Snapshot } from '../types';
import { AspView } from './asp';
import type { ScenarioView } from './view';

export function createView(first: Snapshot): ScenarioView {
  switch (first.scenario) {
    case 'asp':
      return new AspView(first);
  }
}
