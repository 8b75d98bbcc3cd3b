import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

/**
 * Draws the two Teams icons (`npm exec tsx appPackage/scripts/icons.ts`; the PNGs are committed): a telephone
 * handset with two call waves, white on the brand blue (color.png, 192×192, full-bleed background as Teams masks
 * the corners itself) and white on transparent (outline.png, 32×32). Shapes are signed-distance functions sampled
 * 4×4 per pixel, so edges are anti-aliased through alpha only and the outline never gets a non-white pixel.
 */
type Point = [number, number];
/** Signed distance from a point (in glyph units, 0..1 across the glyph box) to the shape: negative inside. */
type Shape = (p: Point) => number;

const BRAND_BLUE: [number, number, number] = [0x0f, 0x6c, 0xbd];
const WHITE: [number, number, number] = [255, 255, 255];
const SUPERSAMPLE = 4;

function capsule(a: Point, b: Point, radius: number): Shape {
  return ([x, y]) => {
    const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
    const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - (a[0] + t * dx), y - (a[1] + t * dy)) - radius;
  };
}

/** A ring segment around `center` between two angles (degrees, y pointing down), with round ends. */
function arc(center: Point, radius: number, halfWidth: number, fromDeg: number, toDeg: number): Shape {
  const at = (deg: number): Point => [
    center[0] + radius * Math.cos((deg * Math.PI) / 180),
    center[1] + radius * Math.sin((deg * Math.PI) / 180),
  ];
  const [from, to] = [at(fromDeg), at(toDeg)];
  return ([x, y]) => {
    let deg = (Math.atan2(y - center[1], x - center[0]) * 180) / Math.PI;
    if (deg < fromDeg) deg += 360;
    if (deg <= toDeg) return Math.abs(Math.hypot(x - center[0], y - center[1]) - radius) - halfWidth;
    return Math.min(Math.hypot(x - from[0], y - from[1]), Math.hypot(x - to[0], y - to[1])) - halfWidth;
  };
}

const union =
  (...shapes: Shape[]): Shape =>
  (p) =>
    Math.min(...shapes.map((s) => s(p)));

/** The handset: a grip bowing to the lower left, the earpiece top left, the mouthpiece bottom right. */
const handset = union(
  arc([0.68, 0.31], 0.5, 0.1, 90, 180),
  capsule([0.2, 0.2], [0.28, 0.33], 0.12),
  capsule([0.79, 0.79], [0.66, 0.71], 0.12),
);
/** Two call waves at the upper right, facing away from the handset. */
const waves = union(arc([0.52, 0.47], 0.2, 0.045, 275, 355), arc([0.52, 0.47], 0.34, 0.045, 275, 355));
const glyph = union(handset, waves);

/** Coverage of each pixel by the glyph, drawn into the square [offset, offset+size] of a canvas of `canvas` px. */
function coverage(canvas: number, offset: number, size: number): number[] {
  const result: number[] = [];
  for (let py = 0; py < canvas; py++) {
    for (let px = 0; px < canvas; px++) {
      let inside = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const x = (px + (sx + 0.5) / SUPERSAMPLE - offset) / size;
          const y = (py + (sy + 0.5) / SUPERSAMPLE - offset) / size;
          if (glyph([x, y]) <= 0) inside++;
        }
      }
      result.push(inside / (SUPERSAMPLE * SUPERSAMPLE));
    }
  }
  return result;
}

function png(
  canvas: number,
  pixel: (alpha: number) => [number, number, number, number],
  cover: number[],
): Buffer {
  const image = new PNG({ width: canvas, height: canvas });
  cover.forEach((c, i) => image.data.set(pixel(c), i * 4));
  return PNG.sync.write(image);
}

const blend = (c: number, fg: number, bg: number): number => Math.round(fg * c + bg * (1 - c));

export function colorIcon(): Buffer {
  // Teams' guidance: the symbol in the middle 96–120 px of 192, on a solid background.
  return png(
    192,
    (c) => [
      blend(c, WHITE[0], BRAND_BLUE[0]),
      blend(c, WHITE[1], BRAND_BLUE[1]),
      blend(c, WHITE[2], BRAND_BLUE[2]),
      255,
    ],
    coverage(192, 36, 120),
  );
}

export function outlineIcon(): Buffer {
  return png(32, (c) => (c === 0 ? [0, 0, 0, 0] : [255, 255, 255, Math.round(255 * c)]), coverage(32, 2, 28));
}

if (require.main === module) {
  const dir = path.resolve(__dirname, '..');
  fs.writeFileSync(path.join(dir, 'color.png'), colorIcon());
  fs.writeFileSync(path.join(dir, 'outline.png'), outlineIcon());
  console.log(`wrote ${dir}/color.png and ${dir}/outline.png`);
}
