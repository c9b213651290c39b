# PyTorch's side of bench/ops-latency.ts: the same rows, batches and interleaving; prints one JSON
# line of median µs per call. Usage: /usr/bin/python3 bench/pytorch_ops_latency.py --threads 2
import argparse
import json
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--rounds", type=int, default=25)
p.add_argument("--warmup-ms", type=float, default=200)  # as bench/ops-latency.ts: steady-state rows
a = p.parse_args()
torch.set_num_threads(a.threads)


def rows():
    out = []
    for n in (8, 1024, 65536):
        cols = min(n, 32)
        r = n // cols
        x, y, m = torch.randn(n), torch.randn(n), torch.randn(r, cols)
        tag = {8: "8", 1024: "1k", 65536: "64k"}[n]
        out += [
            (f"add {tag}", lambda x=x, y=y: torch.add(x, y)),
            (f"mul {tag}", lambda x=x, y=y: torch.mul(x, y)),
            (f"exp {tag}", lambda x=x: torch.exp(x)),
            (f"sum {tag}", lambda x=x: x.sum()),
            (f"mean {tag}", lambda x=x: x.mean()),
            (f"relu {tag}", lambda x=x: torch.relu(x)),
            (f"sigmoid {tag}", lambda x=x: torch.sigmoid(x)),
            (f"softmax {tag}", lambda m=m: torch.softmax(m, -1)),
            (f"transpose+view {tag}", lambda m=m, r=r, cols=cols: m.view(-1).view(r, cols).t()),
            (f"index x[1] {tag}", lambda m=m, r=r: m[1 if r > 1 else 0]),
            (f"cat {tag}", lambda x=x, y=y: torch.cat([x, y])),
        ]
    pm, qm = torch.randn(16, 16), torch.randn(16, 16)
    out.append(("matmul 16x16", lambda: torch.matmul(pm, qm)))
    xg, w = torch.randn(8, requires_grad=True), torch.randn(8)

    def tiny():
        xg.grad = None
        torch.mul(xg, w).sum().backward()

    out.append(("tiny backward (x*w).sum()", tiny))
    lin, xin = torch.nn.Linear(32, 32), torch.randn(8, 32)
    out.append(("Linear 32->32 fwd (b=8)", lambda: lin(xin)))

    def lin_fb():
        lin.zero_grad()
        lin(xin).sum().backward()

    out.append(("Linear 32->32 fwd+bwd", lin_fb))
    return out


rs = rows()
for _, fn in rs:
    for _ in range(50):
        fn()
    w0 = time.perf_counter()
    while time.perf_counter() - w0 < a.warmup_ms / 1000:
        fn()
# Calls per batch (~1 ms), as bench/ops-latency.ts: the most calls any of five 1 ms windows fit.
reps = []
for _, fn in rs:
    most = 0
    for _ in range(5):
        t0, k = time.perf_counter(), 0
        while time.perf_counter() - t0 < 0.001:
            fn()
            k += 1
        most = max(most, k)
    reps.append(max(1, most))
samples = [[] for _ in rs]
for _ in range(a.rounds):
    for i, (_, fn) in enumerate(rs):
        t0 = time.perf_counter()
        for _ in range(reps[i]):
            fn()
        samples[i].append((time.perf_counter() - t0) * 1e6 / reps[i])


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


print(json.dumps({name: median(samples[i]) for i, (name, _) in enumerate(rs)}))
