import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { colorIcon, outlineIcon } from '../../appPackage/scripts/icons';

// Teams rejects icons of the wrong size, and shows a non-white outline icon wrongly in its dark app bar.

const APP_PACKAGE = path.resolve(__dirname, '../../appPackage');
const read = (name: string): PNG => PNG.sync.read(fs.readFileSync(path.join(APP_PACKAGE, name)));

function pixels(png: PNG): { r: number; g: number; b: number; a: number }[] {
  const out = [];
  for (let i = 0; i < png.data.length; i += 4)
    out.push({ r: png.data[i]!, g: png.data[i + 1]!, b: png.data[i + 2]!, a: png.data[i + 3]! });
  return out;
}

describe('app icons', () => {
  it('color.png is 192×192 and fully opaque', () => {
    const color = read('color.png');
    expect([color.width, color.height]).toEqual([192, 192]);
    expect(pixels(color).every((p) => p.a === 255)).toBe(true);
  });

  it('color.png shows a white glyph on a coloured background, not a blank square', () => {
    const all = pixels(read('color.png'));
    const white = all.filter((p) => p.r === 255 && p.g === 255 && p.b === 255).length;
    expect(white / all.length).toBeGreaterThan(0.05);
    expect(white / all.length).toBeLessThan(0.5);
  });

  it('outline.png is 32×32 with only white or fully transparent pixels', () => {
    const outline = read('outline.png');
    expect([outline.width, outline.height]).toEqual([32, 32]);
    const offending = pixels(outline).filter(
      (p) => p.a !== 0 && !(p.r === 255 && p.g === 255 && p.b === 255),
    );
    expect(offending).toEqual([]);
  });

  it('outline.png has a visible glyph and a transparent background', () => {
    const all = pixels(read('outline.png'));
    const opaque = all.filter((p) => p.a === 255).length;
    const transparent = all.filter((p) => p.a === 0).length;
    expect(opaque).toBeGreaterThan(60);
    expect(transparent).toBeGreaterThan(all.length / 2);
    // The corners are background.
    for (const i of [0, 31, 32 * 31, 32 * 32 - 1]) expect(all[i]!.a).toBe(0);
  });

  it('the committed PNGs are exactly what appPackage/scripts/icons.ts draws', () => {
    expect(Buffer.compare(colorIcon(), fs.readFileSync(path.join(APP_PACKAGE, 'color.png')))).toBe(0);
    expect(Buffer.compare(outlineIcon(), fs.readFileSync(path.join(APP_PACKAGE, 'outline.png')))).toBe(0);
  });
});
