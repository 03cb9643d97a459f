// The security chapter's live checks, in both locales: the page reads back the Origin its own
// browser sent to the chat, and the broker's SUBACK granting a lab/ filter and refusing #.
import { expect, test } from './fixtures.ts';

const CASES = [
  { path: '/security/', run: '运行检查', refused: '0x80，拒绝', granted: 'QoS 0，允许' },
  {
    path: '/en/security/',
    run: 'Run the checks',
    refused: '0x80, refused',
    granted: 'QoS 0, granted',
  },
];

for (const c of CASES) {
  test(`${c.path}: the live checks show the page's own Origin and the ACL refusing #`, async ({
    page,
    baseURL,
  }) => {
    // On a phone, the chapter's diagram keeps its labels readable (at least 12 px).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(c.path);
    const smallest = await page.locator('figure.lab-figure svg').evaluate((svg) => {
      const scale =
        svg.getBoundingClientRect().width / (svg as SVGSVGElement).viewBox.baseVal.width;
      const sizes = [...svg.querySelectorAll('text')].map(
        (t) => parseFloat(getComputedStyle(t).fontSize) * scale,
      );
      return Math.min(...sizes);
    });
    expect(smallest).toBeGreaterThanOrEqual(12);
    const demo = page.getByTestId('access-demo');
    await demo.scrollIntoViewIfNeeded();
    await expect(demo).toHaveAttribute('data-hydrated', 'true');
    await page.getByRole('button', { name: c.run }).click();

    // The Origin the browser put on the chat handshake is this page's own, and the server let it in.
    await expect(page.getByTestId('access-origin')).toContainText(new URL(baseURL ?? '').origin);
    await expect(page.getByTestId('access-status')).toContainText('101 Switching Protocols');

    const answers = page.getByTestId('access-acl');
    await expect(answers).toHaveCount(2);
    await expect(answers.nth(0)).toHaveAttribute('data-granted', '0');
    await expect(answers.nth(0)).toContainText(c.granted);
    await expect(answers.nth(1)).toHaveAttribute('data-granted', '128');
    await expect(answers.nth(1)).toContainText(`# → ${c.refused}`);
    await expect(page.getByRole('alert')).toHaveCount(0);
  });
}
