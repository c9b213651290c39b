"""Which BLAS library this PyTorch process has loaded. Debian's python3-torch calls the system
libblas.so.3: the netlib reference BLAS unless an optimised one (libopenblas0-pthread) is installed,
and with the reference BLAS every Linear layer runs ~20x slower, which would make any comparison
unfair to PyTorch. bench/run.ts prints this and warns on the reference library."""


def blas_library():
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "blas" in line and "/" in line}
    except OSError:
        return "unknown"
    # .../openblas-pthread/libblas.so.3 -> "openblas-pthread/libblas.so.3"; reference: "blas/libblas.so.3"
    return ", ".join(sorted("/".join(p.split("/")[-2:]) for p in paths)) or "none"
