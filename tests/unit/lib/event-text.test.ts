import { describe, expect, it } from 'vitest';
import { Ticker } from '../../../server/http-demos/ticker.ts';
import { sayEvent } from '../../../src/lib/http-demos/event-text.ts';
import { httpDemoStrings } from '../../../src/lib/i18n/http-demos.ts';
import { translator } from '../../../src/lib/i18n/index.ts';

describe('ticker event texts', () => {
  it('says every event the server makes in Chinese on a Chinese page', () => {
    const ticker = new Ticker({ autostart: false, now: () => 0 });
    const zh = translator(httpDemoStrings, 'zh-CN');
    const en = translator(httpDemoStrings, 'en');
    // Two full cycles of log lines and sensors, plus a visitor's event.
    const events = Array.from({ length: 60 }, () => ticker.emit('ticker'));
    events.push(ticker.emit('manual'));
    for (const ev of events) {
      const said = sayEvent(ev.text, zh);
      expect(said.replace('°C', ''), ev.text).not.toMatch(/[A-Za-z]/);
      expect(sayEvent(ev.text, en)).toBe(ev.text);
    }
    expect(sayEvent('backup written', zh)).toBe('备份已写入');
    expect(sayEvent('boiler 21.4 °C', zh)).toBe('锅炉房 21.4 °C');
  });

  it('shows a text it does not know as it came', () => {
    expect(sayEvent('something new', translator(httpDemoStrings, 'zh-CN'))).toBe('something new');
  });
});
