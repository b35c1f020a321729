#!/usr/bin/python3
"""A training run to look at with ckptview's Timeline tab (and for the README's screenshot): a
small MLP classifier (two spirals of points) trained with torch for 60 epochs, one checkpoint per
epoch as training code writes them. The first layer is frozen after epoch 20 (fine-tuning the
rest only), and the learning rate jumps to 1e4 at epoch 45: the weights of the later layers blow
up by orders of magnitude (the loss goes from 0.004 to thousands). Epochs 1-30 are saved as training checkpoints ({"epoch", "model_state_dict", ...}), the
rest as DataParallel state dicts ("module." prefixes), as a run that moved to two GPUs would.

    /usr/bin/python3 scripts/make-demo-run.py [DIR]        (default /tmp/ckptview-demo-run)
"""
import os
import sys

import torch

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/ckptview-demo-run"
os.makedirs(out, exist_ok=True)
torch.manual_seed(7)

# Two interleaved spirals, 2-D points in three classes.
n = 600
t = torch.linspace(0.3, 3.5, n // 3)
points, labels = [], []
for c in range(3):
    angle = t * 2.2 + c * 2.1
    points.append(torch.stack([t * torch.cos(angle), t * torch.sin(angle)], 1) + 0.08 * torch.randn(n // 3, 2))
    labels.append(torch.full((n // 3,), c))
x, y = torch.cat(points), torch.cat(labels)

model = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(),
                            torch.nn.Linear(64, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(1, 61):
    if epoch == 21:
        for p in model[0].parameters():
            p.requires_grad_(False)
    if epoch == 45:
        for g in opt.param_groups:
            g["lr"] = 1e4
    for _ in range(20):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    path = os.path.join(out, f"epoch_{epoch}.pt")
    if epoch <= 30:
        torch.save({"epoch": epoch, "model_state_dict": model.state_dict(), "loss": float(loss)}, path)
    else:
        torch.save(torch.nn.DataParallel(model).state_dict(), path)
    print(f"epoch {epoch}: loss {float(loss):.4f}", file=sys.stderr)
print(out)
