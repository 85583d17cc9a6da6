"""cuBLAS fp32 matmul throughput (TF32 off) at n x n x n, printed as one JSON line.

Run beside bench/matmul.ts in the same session so the two figures are comparable.
"""
import json
import sys

import torch

n = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 20
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.set_float32_matmul_precision("highest")
gen = torch.Generator(device="cuda").manual_seed(1)
a = torch.rand((n, n), device="cuda", dtype=torch.float32, generator=gen) * 2 - 1
b = torch.rand((n, n), device="cuda", dtype=torch.float32, generator=gen) * 2 - 1
for _ in range(3):
    torch.matmul(a, b)
torch.cuda.synchronize()
start = torch.cuda.Event(enable_timing=True)
end = torch.cuda.Event(enable_timing=True)
start.record()
for _ in range(repeats):
    torch.matmul(a, b)
end.record()
torch.cuda.synchronize()
ms = start.elapsed_time(end) / repeats
print(json.dumps({"cublas": True, "device": torch.cuda.get_device_name(0), "n": n, "ms": ms,
                  "gflops": 2 * n ** 3 / ms / 1e6, "tf32": torch.backends.cuda.matmul.allow_tf32}))
