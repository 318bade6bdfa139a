// The topology view of each scenario (a plain table for a scenario without a drawing).
import type { Snapshot } from '../types';
import { AcrobotView } from './acrobot';
import { AspView } from './asp';
import { CartpoleView } from './cartpole';
import { DdcView } from './ddc';
import { FlowView } from './flow';
import { GenericView } from './generic';
import { LadView } from './lad';
import { TotView } from './tot';
import type { ScenarioView } from './view';

export function createView(first: Snapshot): ScenarioView {
  switch (first.scenario) {
    case 'asp':
      return new AspView(first);
    case 'lad':
      return new LadView(first);
    case 'tot':
      return new TotView(first);
    case 'ddc':
      return new DdcView(first);
    case 'flow':
      return new FlowView(first);
    case 'cartpole':
      return new CartpoleView(first);
    case 'acrobot':
      return new AcrobotView(first);
    default:
      return new GenericView(first);
  }
}
