"""Times the seed CNN in PyTorch for Flint's side-by-side benchmark (bench/cnn.ts runs it).

Prints one JSON line: ms per training step and per inference batch (median of runs), peak RSS.
Run (bench/pytorch-env.ts: with libopenblas0-pthread installed, OPENBLAS_NUM_THREADS=1): OPENBLAS_NUM_THREADS=1 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647 \
     /usr/bin/python3 bench/pytorch_cnn.py --threads 2 --batch 64 --steps 20
"""
import argparse, json, resource, statistics, time
import torch
from pytorch_blas import blas_library
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--warmup", type=int, default=5)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

model = nn.Sequential(
    nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
x = torch.rand(a.batch, 3, 32, 32)
y = torch.randint(0, 10, (a.batch,))

def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()

def timed(fn, n):
    out = []
    for _ in range(n):
        t = time.perf_counter(); fn(); out.append((time.perf_counter() - t) * 1000)
    return statistics.median(out)

for _ in range(a.warmup): step()
train_ms = timed(step, a.steps)
with torch.no_grad():
    for _ in range(a.warmup): model(x)
    infer_ms = timed(lambda: model(x), a.steps)
print(json.dumps({"impl": "pytorch", "blas": blas_library(), "torch": torch.__version__, "threads": a.threads, "batch": a.batch,
                  "train_ms": train_ms, "infer_ms": infer_ms,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
