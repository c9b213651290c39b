"""PyTorch's side of `npm run bench:ddp` (bench/ddp.ts starts it): the seed CNN on CIFAR-10 with
torch.distributed on Gloo, the same steps as one rank of bench/ddp-worker.ts.

Launcher (no --rank): starts --nproc processes of this script (RANK, WORLD_SIZE, MASTER_ADDR,
MASTER_PORT in their environment, 1 thread each) and prints rank 0's JSON line.
Rank (--rank R): --mode ddp trains DistributedDataParallel(net); --mode independent trains the bare
model on the same shard (with 2 processes: two independent jobs, the machine's ceiling; with 1:
the single-process baseline). Same model, initialisation seed, DistributedSampler(seed 0), per-rank
batch, SGD(lr 0.01, momentum 0.9) and data path (ToTensor of each uint8 image in the loader, no
workers) as Flint's worker. After --warmup steps it times --steps steps and prints images/s for the
whole job, per-step CPU ms of the main thread and of all other threads, and the test accuracy of
rank 0's weights on the first --test test images.
Run: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_ddp.py ROOT --nproc 2 --mode ddp --steps 40
(ROOT holds cifar-10-batches-bin/)
"""
import argparse, json, os, socket, subprocess, sys, threading, time
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("root")
p.add_argument("--nproc", type=int, default=1)
p.add_argument("--rank", type=int, default=-1)
p.add_argument("--mode", default="ddp")
p.add_argument("--batch", type=int, default=64)
p.add_argument("--steps", type=int, default=40)
p.add_argument("--warmup", type=int, default=10)
p.add_argument("--test", type=int, default=2000)
a = p.parse_args()

if a.rank < 0:
    # Launcher: a free port, the ranks, rank 0's result line.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    procs = []
    for r in range(a.nproc):
        env = dict(os.environ, RANK=str(r), WORLD_SIZE=str(a.nproc), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port),
                   OMP_NUM_THREADS="1")
        argv = [sys.executable, __file__, a.root, "--rank", str(r), "--mode", a.mode, "--batch", str(a.batch),
                "--steps", str(a.steps), "--warmup", str(a.warmup), "--test", str(a.test)]
        procs.append(subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True))
    outs = [pr.communicate()[0] for pr in procs]
    if any(pr.returncode != 0 for pr in procs):
        sys.exit(f"pytorch_ddp: a rank failed (exit codes {[pr.returncode for pr in procs]})")
    print([l for l in outs[0].splitlines() if l.startswith("{")][0])
    sys.exit(0)

import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler

torch.set_num_threads(1)


def thread_cpu():
    """CPU ms of each thread of this process (Linux /proc, 100 Hz ticks)."""
    out = {}
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(")") + 2:].split()
        out[int(tid)] = (int(fields[11]) + int(fields[12])) * 10.0
    return out


class Cifar(Dataset):
    """CIFAR-10 from the binary batches; items as ToTensor gives them (float32 CHW in [0, 1])."""

    def __init__(self, root, train):
        files = [f"data_batch_{i}.bin" for i in range(1, 6)] if train else ["test_batch.bin"]
        raw = np.concatenate([np.fromfile(os.path.join(root, "cifar-10-batches-bin", f), dtype=np.uint8)
                              for f in files]).reshape(-1, 3073)
        self.labels = raw[:, 0].astype(np.int64)
        self.images = raw[:, 1:].reshape(-1, 3, 32, 32)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return torch.from_numpy(self.images[i]).float().div_(255), int(self.labels[i])


dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
torch.manual_seed(0)
net = nn.Sequential(
    nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
    nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(1024, 64), nn.Linear(64, 10))
model = nn.parallel.DistributedDataParallel(net) if a.mode == "ddp" else net
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
train = Cifar(a.root, True)
sampler = DistributedSampler(train, num_replicas=world, rank=rank, seed=0)
sampler.set_epoch(0)
loader = DataLoader(train, batch_size=a.batch, sampler=sampler, drop_last=True)

main_tid = threading.get_native_id()
done, t0, cpu0 = 0, 0.0, {}
for x, y in loader:
    if done == a.warmup:
        dist.barrier()
        t0, cpu0 = time.perf_counter(), thread_cpu()
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    done += 1
    if a.steps > 0 and done == a.warmup + a.steps:
        break
timed = done - a.warmup
cpu1 = thread_cpu()
dist.barrier()
seconds = time.perf_counter() - t0
cpu_main = (cpu1.get(main_tid, 0) - cpu0.get(main_tid, 0)) / timed
cpu_other = sum(v - cpu0.get(t, 0) for t, v in cpu1.items() if t != main_tid) / timed
mine = torch.tensor([cpu_main, cpu_other], dtype=torch.float64)
everyone = [torch.zeros(2, dtype=torch.float64) for _ in range(world)]
dist.all_gather(everyone, mine)

if rank == 0:
    test = Cifar(a.root, False)
    correct = 0
    net.eval()
    with torch.no_grad():
        for i in range(0, a.test, 250):
            xs = torch.stack([test[j][0] for j in range(i, min(a.test, i + 250))])
            ys = torch.tensor(test.labels[i:min(a.test, i + 250)])
            correct += int((net(xs).argmax(1) == ys).sum())
    print(json.dumps({
        "impl": "pytorch", "torch": torch.__version__, "mode": a.mode, "world": world, "batchPerRank": a.batch,
        "steps": timed, "seconds": seconds, "imagesPerSec": world * a.batch * timed / seconds,
        "threadsPerRank": torch.get_num_threads(), "testAccuracy": correct / a.test if a.test else None,
        "msPerStep": [{"cpu:main": round(float(t[0]), 2), "cpu:other": round(float(t[1]), 2)} for t in everyone],
    }))
dist.destroy_process_group()
