"""PyTorch side of bench/profile-models.ts: CPU time per aten op (convolutions broken down by
shape and pass) of a ResNet-20 / ResNet-18 training step, 32x32 inputs, batch 64, Adam, or
of ResNet-50 inference (--model resnet50: eval, no_grad, 8 images of 224x224).
Times with time.process_time, so run it with --threads 1 on a loaded machine.

    /usr/bin/python3 bench/pytorch_profile_models.py --model small_resnet --threads 1 --steps 6
"""
import argparse, sys, time
from collections import defaultdict
import torch
import torchvision
from torch.utils._python_dispatch import TorchDispatchMode

sys.argv_backup = sys.argv
p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=1)
p.add_argument("--steps", type=int, default=6)
p.add_argument("--model", default="small_resnet")
a = p.parse_args()
sys.argv = [sys.argv[0], "--only", "none"]  # pytorch_models.py parses its own arguments on import
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from pytorch_models import SmallResNet  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(0)
infer = a.model == "resnet50"  # inference (eval, no_grad) on 8 images of 224x224, as bench/models.ts
model = (
    torchvision.models.resnet50().eval()
    if infer
    else SmallResNet()
    if a.model == "small_resnet"
    else torchvision.models.mobilenet_v2(num_classes=10)
    if a.model == "mobilenet_v2"
    else torchvision.models.resnet18(num_classes=10)
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
x, y = torch.randn(*((8, 3, 224, 224) if infer else (64, 3, 32, 32))), torch.randint(0, 10, (64,))


def step():
    if infer:
        with torch.no_grad():
            model(x)
        return
    opt.zero_grad()
    loss_fn(model(x), y).backward()
    opt.step()


times = defaultdict(lambda: [0.0, 0])


def key(func, args):
    name = func.__name__ if hasattr(func, "__name__") else str(func)
    if "convolution" in name:
        xs, w = args[0], args[1]
        if name.startswith("convolution_backward"):
            g, xs, w = args[0], args[1], args[2]
            mask = args[-1]
            name += "[" + ",".join("1" if m else "0" for m in mask) + "]"
        stride = args[3] if not name.startswith("convolution_backward") else args[4]
        groups = args[8] if not name.startswith("convolution_backward") else args[9]
        name += f" x{'x'.join(map(str, xs.shape))} w{'x'.join(map(str, w.shape))} s{stride[0]} g{groups}"
    return name


class Timer(TorchDispatchMode):
    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        t0 = time.process_time()
        r = func(*args, **(kwargs or {}))
        e = times[key(func, args)]
        e[0] += time.process_time() - t0
        e[1] += 1
        return r


for _ in range(2):
    step()
t0 = time.process_time()
for _ in range(a.steps):
    step()
plain = (time.process_time() - t0) / a.steps * 1000
with Timer():
    t0 = time.process_time()
    for _ in range(a.steps):
        step()
    total = (time.process_time() - t0) / a.steps * 1000
print(f"{a.model}, pytorch {torch.__version__}, {a.threads} thread(s): {plain:.1f} ms CPU per step ({total:.1f} ms under the timer)")
group = defaultdict(float)
kernels = 0.0
for name, (s, n) in sorted(times.items(), key=lambda kv: -kv[1][0]):
    ms = s / a.steps * 1000
    kernels += ms
    group[name.split(" ")[0]] += ms
    if ms >= 0.5:
        print(f"{name:70s} {ms:8.2f} ms {n / a.steps:5.0f} calls")
print("-- by op")
for g, ms in sorted(group.items(), key=lambda kv: -kv[1]):
    if ms >= 0.3:
        print(f"{g:40s} {ms:8.2f} ms")
print(f"{'(outside ops, timer included)':40s} {total - kernels:8.2f} ms")
