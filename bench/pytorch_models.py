"""PyTorch side of bench/models.ts: the same MLP, LSTM and Transformer-encoder training steps
(cross entropy, Adam), median ms per step, one JSON line per model.

    /usr/bin/python3 bench/pytorch_models.py --threads 2 --steps 20
"""
import argparse, json, os, time
import torch
import torchvision
from pytorch_blas import blas_library
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--only", default=None)
a = p.parse_args()
only = None if a.only is None else set(a.only.split("|"))  # names hold commas
torch.set_num_threads(a.threads)
# BENCH_CLOCK=cpu: this process's CPU time instead of wall time (as bench/timing.ts).
clock = time.process_time if os.environ.get("BENCH_CLOCK") == "cpu" else time.perf_counter


def warm_up(step, min_steps, seconds=2.0, max_steps=3000):
    """The warm-up rule of bench/timing.ts warmUp: min_steps, and for light models until `seconds` passed."""
    t0 = time.perf_counter()
    i = 0
    while i < max_steps and (i < min_steps or time.perf_counter() - t0 < seconds):
        step()
        i += 1


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(64, 128, num_layers=2, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


class EncoderNet(nn.Module):
    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(128, 4, dim_feedforward=256, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        return self.head(self.encoder(x).mean(1))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = (
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))
            if stride != 1 or cin != cout
            else None
        )

    def forward(self, x):
        out = self.bn2(self.conv2(self.bn1(self.conv1(x)).relu()))
        return out.add(self.shortcut(x) if self.shortcut is not None else x).relu()


class SmallResNet(nn.Module):
    """bench/small-resnet.ts: CIFAR ResNet-20 (16/32/64 channels, 3 blocks each)."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU())
        blocks, cin = [], 16
        for cout, stride in [(16, 1), (32, 2), (64, 2)]:
            for i in range(3):
                blocks.append(Block(cin, cout, stride if i == 0 else 1))
                cin = cout
        self.layers = nn.Sequential(*blocks)
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        return self.head(self.layers(self.stem(x)).mean([2, 3]))


workloads = [
    ("mlp", lambda: nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10)), (64, 784)),
    ("lstm", LSTMNet, (16, 20, 64)),
    ("transformer", EncoderNet, (16, 32, 128)),
    ("small resnet (ResNet-20, 32x32, batch 64)", SmallResNet, (64, 3, 32, 32)),
    ("resnet18 (32x32, batch 64)", lambda: torchvision.models.resnet18(num_classes=10), (64, 3, 32, 32)),
    ("mobilenet_v2 (32x32, batch 64)", lambda: torchvision.models.mobilenet_v2(num_classes=10), (64, 3, 32, 32)),
    ("resnet50 inference (224x224, batch 8)", lambda: torchvision.models.resnet50(), (8, 3, 224, 224), True),
]
for name, build, shape, *infer in workloads:
    if only is not None and name not in only:
        continue
    torch.manual_seed(0)
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, y = torch.randn(shape), torch.randint(0, 10, (shape[0],))

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    if infer:
        model.eval()

        def step():
            with torch.no_grad():
                model(x)

    heavy = len(shape) == 4
    warm_up(step, 2 if heavy else 5, 0 if heavy else 2.0)
    t = []
    for _ in range(max(3, -(-a.steps // 4)) if heavy else a.steps):
        s = clock()
        step()
        t.append((clock() - s) * 1000)
    t.sort()
    print(json.dumps({"impl": "pytorch", "blas": blas_library(), "model": name, "trainMs": t[len(t) // 2]}), flush=True)


# Model families of issue 18 (MLPs small and large, language models with embeddings); same shapes
# as bench/models.ts.
class LanguageModel(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.embed = nn.Embedding(1000, 64)
        self.rnn = (nn.LSTM if kind == "lstm" else nn.GRU)(64, 128, num_layers=2, batch_first=True)
        self.head = nn.Linear(128, 1000)

    def forward(self, tokens):
        out, _ = self.rnn(self.embed(tokens))
        return self.head(out.reshape(-1, 128))


def mlp(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


families = [
    ("mlp small (b16 64-128-128-10 tanh)", lambda: mlp([64, 128, 128, 10], nn.Tanh), lambda: (torch.randn(16, 64), torch.randint(0, 10, (16,)))),
    ("mlp large (b256 784-1024-1024-10)", lambda: mlp([784, 1024, 1024, 10], nn.ReLU), lambda: (torch.randn(256, 784), torch.randint(0, 10, (256,)))),
    ("lstm lm (b16 t20 v1000)", lambda: LanguageModel("lstm"), lambda: (torch.randint(0, 1000, (16, 20)), torch.randint(0, 1000, (320,)))),
    ("gru lm (b16 t20 v1000)", lambda: LanguageModel("gru"), lambda: (torch.randint(0, 1000, (16, 20)), torch.randint(0, 1000, (320,)))),
]
for name, build, data in families:
    if only is not None and name not in only:
        continue
    torch.manual_seed(0)
    model = build()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x, y = data()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    warm_up(step, 5)
    t = []
    for _ in range(a.steps):
        s = clock()
        step()
        t.append((clock() - s) * 1000)
    t.sort()
    print(json.dumps({"impl": "pytorch", "blas": blas_library(), "model": name, "trainMs": t[len(t) // 2]}), flush=True)
