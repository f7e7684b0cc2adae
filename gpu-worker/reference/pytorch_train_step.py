#!/usr/bin/python3
"""PyTorch reference for `./lineage bench train`: the same ranking model and training step as the TorchSharp trainer.

The benchmark starts this script once and drives it over stdin/stdout so that TorchSharp and PyTorch rounds interleave in one
run on the same machine with the same thread count:

    stdin:  "run N"   -> N timed training steps, answered with one JSON line {"seconds": [...], "loss": last}
            "quit"    -> exit
    stdout: first line {"ready": true, "torch": version, "threads": n, "parameters": trainable count}

The model mirrors gpu-worker/ServerlessLineage.Modeling: BERT (Hugging Face layout: embeddings with LayerNorm, post-norm
layers, erf GELU, additive -10000 attention mask, tanh pooler over [CLS]) -> [pooled; standardised features] -> dense, GELU ->
dense -> one logit; BCE-with-logits loss; AdamW with decoupled weight decay (no decay on biases and LayerNorm weights);
gradient clipping at global norm 1.0; a linear warmup/decay learning rate. For `minilm` the embeddings and the lower layers
are frozen and run without autograd, exactly as the TorchSharp configuration does. Inputs are random token ids with a padded
tail and random features, generated once (timing does not depend on the values).

Needs Debian's python3-torch (PyTorch 1.13, for /usr/bin/python3) and OpenBLAS (libopenblas0-pthread).
"""
import argparse
import json
import math
import sys
import time

import torch
from torch import nn

CONFIGS = {
    "tiny": dict(hidden=128, layers=2, heads=2, intermediate=512, trainable=None),
    "minilm": dict(hidden=384, layers=6, heads=12, intermediate=1536, trainable=2),
    "minilm-full": dict(hidden=384, layers=6, heads=12, intermediate=1536, trainable=None),
}
VOCAB, POSITIONS, TYPES, FEATURES, HEAD_HIDDEN = 30522, 512, 2, 6, 64


class SelfAttention(nn.Module):
    def __init__(self, hidden, heads, dropout):
        super().__init__()
        self.heads, self.size = heads, hidden // heads
        self.query, self.key, self.value = nn.Linear(hidden, hidden), nn.Linear(hidden, hidden), nn.Linear(hidden, hidden)
        self.dropout = nn.Dropout(dropout)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.size).permute(0, 2, 1, 3)

    def forward(self, h, mask):
        b, s, _ = h.shape
        q, k, v = self.split(self.query(h)), self.split(self.key(h)), self.split(self.value(h))
        scores = q.matmul(k.transpose(-1, -2)).mul_(1.0 / math.sqrt(self.size)).add_(mask)
        return self.dropout(scores.softmax(-1)).matmul(v).permute(0, 2, 1, 3).reshape(b, s, self.heads * self.size)


class ResidualOutput(nn.Module):
    def __init__(self, inputs, hidden, dropout):
        super().__init__()
        self.dense, self.LayerNorm, self.dropout = nn.Linear(inputs, hidden), nn.LayerNorm(hidden, eps=1e-12), nn.Dropout(dropout)

    def forward(self, h, residual):
        return self.LayerNorm(self.dropout(self.dense(h)) + residual)


class Layer(nn.Module):
    def __init__(self, c, dropout=0.1):
        super().__init__()
        self.self_attention = SelfAttention(c["hidden"], c["heads"], dropout)
        self.attention_output = ResidualOutput(c["hidden"], c["hidden"], dropout)
        self.intermediate = nn.Linear(c["hidden"], c["intermediate"])
        self.output = ResidualOutput(c["intermediate"], c["hidden"], dropout)

    def forward(self, h, mask):
        a = self.attention_output(self.self_attention(h, mask), h)
        return self.output(nn.functional.gelu(self.intermediate(a)), a)


class RankingModel(nn.Module):
    def __init__(self, c, dropout=0.1):
        super().__init__()
        hidden = c["hidden"]
        self.word, self.position, self.token_type = nn.Embedding(VOCAB, hidden), nn.Embedding(POSITIONS, hidden), nn.Embedding(TYPES, hidden)
        self.LayerNorm, self.dropout = nn.LayerNorm(hidden, eps=1e-12), nn.Dropout(dropout)
        self.layers = nn.ModuleList([Layer(c, dropout) for _ in range(c["layers"])])
        self.pooler = nn.Linear(hidden, hidden)
        self.head_dropout = nn.Dropout(dropout)
        self.head_hidden, self.head_output = nn.Linear(hidden + FEATURES, HEAD_HIDDEN), nn.Linear(HEAD_HIDDEN, 1)
        self.register_buffer("mean", torch.zeros(FEATURES))
        self.register_buffer("std", torch.ones(FEATURES))
        self.first_trained = c["layers"] - c["trainable"] if c["trainable"] is not None else 0
        if c["trainable"] is not None:
            for module in [self.word, self.position, self.token_type, self.LayerNorm, *self.layers[: self.first_trained]]:
                for p in module.parameters():
                    p.requires_grad_(False)

    def forward(self, ids, mask, types, features):
        additive = (1.0 - mask.to(torch.float32)).mul_(-10000.0)[:, None, None, :]
        positions = torch.arange(ids.shape[1]).unsqueeze(0)
        frozen = self.first_trained > 0 and self.training
        with torch.set_grad_enabled(not frozen and torch.is_grad_enabled()):
            h = self.dropout(self.LayerNorm(self.word(ids) + self.position(positions) + self.token_type(types)))
            for layer in self.layers[: self.first_trained]:
                h = layer(h, additive)
        for layer in self.layers[self.first_trained:]:
            h = layer(h, additive)
        pooled = torch.tanh(self.pooler(h[:, 0]))
        x = torch.cat([self.head_dropout(pooled), (features - self.mean) / self.std], 1)
        return self.head_output(nn.functional.gelu(self.head_hidden(x))).squeeze(-1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", choices=sorted(CONFIGS), default="tiny")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--lr", type=float, default=5e-5)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = RankingModel(CONFIGS[args.config])
    model.train()
    decay = [p for n, p in model.named_parameters() if p.requires_grad and not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and (n.endswith("bias") or "LayerNorm" in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    trainable = [p for p in model.parameters() if p.requires_grad]

    ids = torch.randint(1000, VOCAB, (args.batch, args.seq))
    mask = torch.ones(args.batch, args.seq, dtype=torch.int64)
    real = max(3, (args.seq * 3) // 4)
    mask[:, real:] = 0
    ids[:, real:] = 0
    ids[:, 0] = 101
    types = torch.zeros(args.batch, args.seq, dtype=torch.int64)
    types[:, args.seq // 2: real] = 1
    features = torch.randn(args.batch, FEATURES)
    labels = (torch.rand(args.batch) < 0.3).to(torch.float32)
    loss_fn = nn.BCEWithLogitsLoss()

    print(json.dumps({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "parameters": sum(p.numel() for p in trainable)}), flush=True)
    step = 0
    for line in sys.stdin:
        command = line.split()
        if not command or command[0] == "quit":
            break
        if command[0] != "run":
            print(json.dumps({"error": f"unknown command {line.strip()!r}"}), flush=True)
            continue
        seconds, loss = [], float("nan")
        for _ in range(int(command[1])):
            start = time.perf_counter()
            for group in optimizer.param_groups:  # warmup over 100 steps, then flat: the cost is the same as any schedule
                group["lr"] = args.lr * min(1.0, (step + 1) / 100)
            optimizer.zero_grad(set_to_none=True)
            value = loss_fn(model(ids, mask, types, features), labels)
            value.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            loss = value.item()
            seconds.append(time.perf_counter() - start)
            step += 1
        print(json.dumps({"seconds": seconds, "loss": loss}), flush=True)


if __name__ == "__main__":
    main()
