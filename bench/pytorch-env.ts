// How the benchmarks run PyTorch 1.13 (/usr/bin/python3, Debian's python3-torch), so every
// comparison gives it its best setting on this machine:
// - GLIBC_TUNABLES: freed activation buffers stay in the heap (as Flint's addon sets with mallopt),
//   which measured fastest for PyTorch here;
// - OPENBLAS_NUM_THREADS=1: with libopenblas0-pthread as the system BLAS, PyTorch's own 2 OpenMP
//   threads plus OpenBLAS's 2 oversubscribe the cores; 1 measured as fast or faster everywhere.
// Debian's torch uses the system libblas.so.3; with only the netlib reference BLAS installed,
// Linear layers are ~20x slower, so the benches print which BLAS PyTorch loaded and warn.
export const TORCH_ENV: NodeJS.ProcessEnv = {
  GLIBC_TUNABLES: "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647",
  OPENBLAS_NUM_THREADS: "1",
};

/** A warning line when PyTorch ran on the reference BLAS, else null. */
export function blasWarning(blas: string | undefined): string | null {
  if (blas === undefined || !/(^|, )blas\/libblas/.test(blas)) return null;
  return (
    `WARNING: PyTorch used the netlib reference BLAS (${blas}); install an optimised one ` +
    "(apt-get install -y libopenblas0-pthread) for a fair comparison."
  );
}
