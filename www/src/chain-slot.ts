// Where the diffusion chain is drawn: the chain view component (views/chain.ts, `ChainView` with
// `render(distributions, labels?)`) is loaded lazily when this build has it; otherwise a message says so.
import { h } from './dom';

/** The chain view component's API. */
interface ChainViewApi {
  readonly element: Element;
  render(distributions: number[][], labels?: string[]): void;
}

// A glob rather than an import, so the page builds whether or not the component exists yet.
const modules = import.meta.glob<{ ChainView?: new () => ChainViewApi }>('./views/chain.ts');

export class ChainSlot {
  readonly element = h('div', { class: 'chain-slot', 'aria-live': 'polite' });
  private readonly note = h('p', { class: 'chain-note' });
  private view: ChainViewApi | null = null;
  private loading: Promise<ChainViewApi | null> | null = null;

  constructor() {
    this.element.append(this.note);
  }

  /** Draws the chain (x_T first, π last), or says why there is none (`null`: the learner has no chain). */
  async render(distributions: number[][] | null, labels?: string[]): Promise<void> {
    if (distributions === null) {
      this.say('This learner has no denoising chain (an MLP, DQN or PPO policy).');
      return;
    }
    const view = await this.component();
    if (!view) {
      this.say(`The chain view is not in this build; ${distributions.length} distributions were computed.`);
      return;
    }
    this.say('');
    view.render(distributions, labels);
  }

  /** Shows `text` instead of a drawing (empty: the drawing). */
  say(text: string): void {
    this.note.textContent = text;
    this.note.hidden = text === '';
    if (this.view) (this.view.element as HTMLElement | SVGElement).style.display = text ? 'none' : '';
  }

  private component(): Promise<ChainViewApi | null> {
    this.loading ??= (async () => {
      const load = modules['./views/chain.ts'];
      const mod = load ? await load() : null;
      if (!mod?.ChainView) return null;
      this.view = new mod.ChainView();
      this.element.append(this.view.element);
      return this.view;
    })();
    return this.loading;
  }
}
