// Prints 1 when Gloo's headers and shared library are installed (Debian: libgloo-dev), else 0.
// binding.gyp builds the flint_gloo addon (torch.distributed) only then, so the main addon
// still builds on machines without Gloo.
/* eslint-disable */
const { existsSync } = require("node:fs");
const includes = ["/usr/include", "/usr/local/include"];
const libs = ["/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/local/lib"];
const ok =
  process.env.FLINT_SKIP_GLOO !== "1" &&
  includes.some((d) => existsSync(`${d}/gloo/allreduce.h`)) &&
  libs.some((d) => existsSync(`${d}/libgloo.so`));
process.stdout.write(ok ? "1" : "0");
