// Rewrites a module built by Debian's clang 14 with -mrelaxed-simd from the relaxed-SIMD
// proposal's prototype encoding to the final one: f32x4.fma (0xfd 0xaf 0x01) becomes
// f32x4.relaxed_madd (0xfd 0x85 0x02), same length, same operands (a, b, c -> a * b + c). The code
// section is decoded instruction by instruction, so only opcodes are touched, never immediates;
// any other prototype-only relaxed opcode is an error (the build uses only the multiply-add).
// Usage: node native/wasm/relaxed-opcodes.mjs FILE (rewritten in place; prints the count).
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
const b = new Uint8Array(readFileSync(file));
let p = 8;
const u = () => {
  let r = 0,
    shift = 0,
    byte;
  do {
    byte = b[p++];
    r += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return r;
};
const skipLeb = () => {
  while (b[p++] & 0x80);
};
const memarg = () => {
  skipLeb();
  skipLeb();
};
// SIMD opcodes below 0x100 that the final SIMD proposal leaves unassigned, where LLVM 14 put its
// prototype relaxed instructions.
const PROTOTYPE = new Set([0xa2, 0xa5, 0xa6, 0xaf, 0xb0, 0xb2, 0xb3, 0xb4, 0xbb, 0xc2, 0xc5, 0xc6, 0xcf, 0xd0, 0xd2, 0xd3, 0xd4]);
let rewritten = 0;

function simd(at) {
  const op = u();
  if (op <= 11 || op === 92 || op === 93) memarg();
  else if (op === 12 || op === 13) p += 16;
  else if (op >= 21 && op <= 34) p += 1;
  else if (op >= 84 && op <= 91) {
    memarg();
    p += 1;
  } else if (op === 0xaf) {
    if (b[at + 1] !== 0xaf || b[at + 2] !== 0x01) throw new Error(`unexpected encoding at ${at}`);
    b[at + 1] = 0x85;
    b[at + 2] = 0x02;
    rewritten++;
  } else if (PROTOTYPE.has(op)) throw new Error(`prototype relaxed-SIMD opcode 0x${op.toString(16)} at ${at}`);
}

function instructions(end) {
  while (p < end) {
    const at = p,
      op = b[p++];
    if (op === 0x02 || op === 0x03 || op === 0x04) skipLeb(); // block type
    else if (op === 0x0c || op === 0x0d || op === 0x10 || (op >= 0x20 && op <= 0x26) || op === 0xd2) skipLeb();
    else if (op === 0x0e) {
      for (let n = u(); n > 0; n--) skipLeb();
      skipLeb();
    } else if (op === 0x11) {
      skipLeb();
      skipLeb();
    } else if (op === 0x1c) p += u();
    else if (op >= 0x28 && op <= 0x3e) memarg();
    else if (op === 0x3f || op === 0x40 || op === 0xd0) p += 1;
    else if (op === 0x41 || op === 0x42) skipLeb();
    else if (op === 0x43) p += 4;
    else if (op === 0x44) p += 8;
    else if (op === 0xfc) {
      const sub = u();
      if (sub === 8) {
        skipLeb();
        p += 1;
      } else if (sub === 10) p += 2;
      else if (sub === 11) p += 1;
      else if (sub === 12 || sub === 14) {
        skipLeb();
        skipLeb();
      } else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) skipLeb();
    } else if (op === 0xfd) simd(at);
    else if (op === 0xfe) {
      if (u() === 0x03) p += 1;
      else memarg();
    } else if (
      !(op <= 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1) &&
      !(op >= 0x45 && op <= 0xc4)
    )
      throw new Error(`unknown opcode 0x${op.toString(16)} at ${at}`);
  }
  if (p !== end) throw new Error(`a function body overran at ${p}`);
}

while (p < b.length) {
  const id = b[p++],
    size = u(),
    end = p + size;
  if (id === 10) {
    for (let n = u(); n > 0; n--) {
      const bodyEnd = u() + p;
      for (let locals = u(); locals > 0; locals--) {
        skipLeb();
        p += 1;
      }
      instructions(bodyEnd);
    }
  }
  p = end;
}
if (rewritten === 0) throw new Error(`${file}: no f32x4.fma to rewrite (was it built with -mrelaxed-simd?)`);
writeFileSync(file, b);
console.log(`relaxed-opcodes: ${file}: ${rewritten} f32x4.fma -> f32x4.relaxed_madd`);
