// Share and embed buttons: "Copy link" puts the whole run (the RunStore's settings) in a URL, "Copy embed
// code" an <iframe> snippet of it in embed mode; a learned policy that plays goes with them when a link
// can name it. Both are also shown in a text field, selected, in case the browser refuses the clipboard.
import { h } from './dom';
import type { RunStore } from './run';
import { ShareError, embedSnippet, embedTitle, encodeRun, runUrl, shareable } from './share';

export class SharePanel {
  private readonly linkButton = h('button', { type: 'button', id: 'copy-link' }, 'Copy link');
  private readonly embedButton = h('button', { type: 'button', id: 'copy-embed' }, 'Copy embed code');
  private readonly output = h('input', { id: 'share-output', type: 'text', readonly: true, 'aria-label': 'Link or embed code to copy', autocomplete: 'off' });
  private readonly message = h('span', { id: 'share-message', class: 'share-message', role: 'status', 'aria-live': 'polite' });

  constructor(private readonly store: RunStore) {}

  mount(slot: HTMLElement): void {
    this.output.hidden = true;
    slot.append(h('div', { class: 'share', role: 'group', 'aria-label': 'Share this run' }, this.linkButton, this.embedButton, this.output, this.message));
    this.linkButton.addEventListener('click', () => void this.copy(false));
    this.embedButton.addEventListener('click', () => void this.copy(true));
  }

  private async copy(embed: boolean): Promise<void> {
    const { settings, note } = shareable(this.store.get());
    let hash: string;
    try {
      hash = await encodeRun(settings);
    } catch (e) {
      this.message.textContent = e instanceof ShareError ? e.message : `share: ${String(e)}`;
      this.message.className = 'share-message alert';
      this.output.hidden = true;
      return;
    }
    const url = runUrl(location.href, hash, embed);
    const text = embed ? embedSnippet(url, embedTitle(settings)) : url;
    this.output.value = text;
    this.output.hidden = false;
    this.output.select();
    const what = embed ? 'Embed code' : 'Link';
    try {
      await navigator.clipboard.writeText(text);
      this.message.textContent = `${what} copied (${text.length} characters).${note ? ` ${note}` : ''}`;
      this.message.className = 'share-message status';
    } catch {
      this.message.textContent = `${what} selected: the browser refused the clipboard, press Ctrl+C to copy it.${note ? ` ${note}` : ''}`;
      this.message.className = 'share-message status';
    }
    this.output.focus();
  }
}
