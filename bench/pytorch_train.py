"""The seed's CIFAR-10 training in PyTorch 1.13, set up exactly as `flint train` does (same seed,
model built right after seeding, then SGD, then a shuffled DataLoader), for side-by-side accuracy
and seconds per epoch.

    OPENBLAS_NUM_THREADS=1 GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647 \
    /usr/bin/python3 bench/pytorch_train.py /path/to/cifar-10-batches-bin --epochs 1 --threads 2
"""
import argparse, os, time
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

p = argparse.ArgumentParser()
p.add_argument("folder")
p.add_argument("--epochs", type=int, default=1)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
torch.set_num_threads(a.threads)


def load(files):
    raw = np.concatenate([np.fromfile(os.path.join(a.folder, f), dtype=np.uint8).reshape(-1, 3073) for f in files])
    x = torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255)  # ToTensor
    return TensorDataset(x, torch.from_numpy(raw[:, 0].astype(np.int64)))


torch.manual_seed(a.seed)
model = nn.Sequential(
    nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
train_loader = DataLoader(load([f"data_batch_{i}.bin" for i in range(1, 6)]), batch_size=64, shuffle=True)
test_loader = DataLoader(load(["test_batch.bin"]), batch_size=500)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(1, a.epochs + 1):
    model.train()
    t = time.perf_counter()
    for x, y in train_loader:
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    train_s = time.perf_counter() - t
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in test_loader:
            correct += (model(x).argmax(1) == y).sum().item()
    print(f"epoch {epoch}: test acc {correct / 100:.2f}% | {train_s:.1f} s train", flush=True)
