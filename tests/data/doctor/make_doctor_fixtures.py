#!/usr/bin/python3
"""Writes the fixtures of `ckpt doctor` (issue 20) with torch, and expected.json.

findings.pt  one tensor per finding: NaN, Inf, all zero, constant, tied and copied tensors
             (the same bytes under two names), values beyond float16's range in float32,
             BatchNorm running_var <= 0, mostly denormal values.
clean.pt     a small network trained for a few steps: no finding.
reference.pt / target.pt
             a freshly initialised network and a checkpoint that torch's
             load_state_dict(strict=True) refuses: a missing key, unexpected keys, a shape
             mismatch; one layer of the target is still the reference's (never trained).
expected.json the findings per file, and torch's own error message for the pair.
Run from anywhere: /usr/bin/python3 make_doctor_fixtures.py
"""
import json
import os

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 6)
        self.bn = torch.nn.BatchNorm1d(6)
        self.fc2 = torch.nn.Linear(6, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


def findings_file():
    ok = torch.randn(3, 4)
    tied = torch.randn(5, 2)
    nan = torch.randn(4, 3)
    nan[1, 2] = float("nan")
    inf = torch.randn(2, 3)
    inf[0, 0] = float("inf")
    inf[1, 1] = float("-inf")
    big = torch.randn(3, 3)
    big[0, 1] = 1.0e5  # becomes inf in float16
    big[2, 2] = -70000.0
    running_var = torch.rand(6) + 0.5
    running_var[2] = 0.0
    running_var[4] = -0.25
    tiny = torch.full((10,), 1e-40)  # float32 denormals
    tiny[0] = 0.5
    state = {
        "ok.weight": ok,
        "bad.nan": nan,
        "bad.inf": inf,
        "zeros.bias": torch.zeros(7),
        "const.weight": torch.full((3, 3), 0.5),
        "encoder.embed": tied,
        "decoder.embed": tied,  # tied: one storage, two names
        "copy.weight": ok.clone(),  # copied: the same bytes in another storage
        "big.weight": big,
        "bn.running_var": running_var,
        "tiny.weight": tiny,
        "steps": torch.tensor(0),  # an integer scalar: no finding
    }
    torch.save(state, os.path.join(here, "findings.pt"))
    expected = [
        ["nan", "bad.nan"],
        ["inf", "bad.inf"],
        ["all-zero", "zeros.bias"],
        ["constant", "const.weight"],
        ["duplicate", "decoder.embed"],
        ["duplicate", "copy.weight"],
        ["beyond-float16", "big.weight"],
        ["running-var", "bn.running_var"],
        ["denormal", "tiny.weight"],
    ]
    counts = {
        "bad.nan": int(torch.isnan(nan).sum()),
        "bad.inf": int(torch.isinf(inf).sum()),
        "big.weight": int((big.abs() >= 65520).sum()),
        "bn.running_var": int((running_var <= 0).sum()),
        "tiny.weight": int(((tiny != 0) & (tiny.abs() < np.finfo(np.float32).tiny)).sum()),
    }
    # What float16 makes of them (the reason for the finding).
    assert torch.isinf(big.half()).sum() == counts["big.weight"]
    return expected, counts


def clean_file():
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    x, y = torch.randn(32, 4), torch.randn(32, 3)
    for _ in range(5):
        opt.zero_grad()
        torch.nn.functional.mse_loss(net(x), y).backward()
        opt.step()
    torch.save(net.state_dict(), os.path.join(here, "clean.pt"))


def reference_pair():
    model = Net()
    # Copies: load_state_dict copies what fits into the model before it raises.
    reference = {k: v.clone() for k, v in model.state_dict().items()}
    torch.save(reference, os.path.join(here, "reference.pt"))
    target = {k: v.clone() + (0 if k.startswith("fc1.") else 0.01) for k, v in reference.items()}
    target["bn.num_batches_tracked"] = reference["bn.num_batches_tracked"].clone()
    del target["fc2.bias"]  # missing
    target["fc2.weight"] = torch.randn(3, 5)  # shape mismatch
    target["head.weight"] = torch.randn(2, 3)  # unexpected
    target["head.bias"] = torch.randn(2)
    torch.save(target, os.path.join(here, "target.pt"))
    try:
        model.load_state_dict(target, strict=True)
        raise SystemExit("load_state_dict accepted the target")
    except RuntimeError as e:
        message = str(e)
    same = [k for k, v in target.items() if k in reference and v.shape == reference[k].shape
            and v.dtype == reference[k].dtype and torch.equal(v, reference[k])]
    return message, same


def main():
    expected, counts = findings_file()
    clean_file()
    message, same = reference_pair()
    with open(os.path.join(here, "expected.json"), "w") as f:
        json.dump({"findings.pt": expected, "counts": counts, "load_state_dict": message,
                   "same_as_reference": same}, f, indent=1)
        f.write("\n")


main()
