"""How an exported model lies on disk, so that a process holds as little of it as it can.

An export (ingest/onnx_export.py writes it, ingest/onnx_cache.py checks it) is:
- `model.onnx`: the graph, small tensors inline;
- `model.onnx.data`: every tensor of 64 KiB or more, each at a 64 KiB-aligned offset,
  which is what lets ONNX Runtime map them from the file instead of copying them into
  its heap (and the weights it repacks are then not held twice);
- `model.onnx.rows`: the token-embedding table (30,522 x 384 floats for MiniLM, 47 MB),
  taken out of the graph. `TokenRows` reads the rows a batch uses with pread and the
  graph takes them as an input, so the table is never mapped nor held: mapped, it stays
  resident in 2 MB pieces as questions touch it (measured: ~30 MB after 11 questions).
The numbers are the same bytes in every layout, and ONNX Runtime's output is identical.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

ALIGNMENT = 65536
ROWS_KEY = "deskbot.token_rows"  # model metadata: which graph input takes the rows, their shape


def weights_file(onnx_path: Path) -> Path:
    return onnx_path.with_name(onnx_path.name + ".data")


def rows_file(onnx_path: Path) -> Path:
    return onnx_path.with_name(onnx_path.name + ".rows")


def lay_out(onnx_path: Path) -> list[Path]:
    """Rewrite a one-file export into the layout above; returns the files beside the graph."""
    import onnx

    model = onnx.load(str(onnx_path))
    written = [_take_out_token_rows(model, onnx_path), _move_weights_out(model, onnx_path)]
    onnx.save(model, str(onnx_path))
    return [path for path in written if path is not None]


def _take_out_token_rows(model, onnx_path: Path) -> Path | None:
    """Replace the Gather of `input_ids` from a 2-D table by a graph input of its output."""
    from onnx import helper, numpy_helper

    graph = model.graph
    tables = {t.name: t for t in graph.initializer if len(t.dims) == 2}
    uses: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    gathers = [
        n
        for n in graph.node
        if n.op_type == "Gather"
        and list(n.input[1:]) == ["input_ids"]
        and n.input[0] in tables
        and uses[n.input[0]] == 1
        and all(a.name != "axis" or a.i == 0 for a in n.attribute)
    ]
    if len(gathers) != 1:
        return None  # not the usual shape: the table stays in the graph
    gather = gathers[0]
    table = tables[gather.input[0]]
    rows = numpy_helper.to_array(table)
    rows.astype(rows.dtype.newbyteorder("<"), copy=False).tofile(rows_file(onnx_path))
    graph.node.remove(gather)
    graph.initializer.remove(table)
    width = int(rows.shape[1])
    graph.input.append(
        helper.make_tensor_value_info(gather.output[0], table.data_type, ["batch", "tokens", width])
    )
    facts = {"input": gather.output[0], "shape": list(rows.shape), "dtype": rows.dtype.str}
    helper.set_model_props(model, {ROWS_KEY: json.dumps(facts)})
    return rows_file(onnx_path)


def _move_weights_out(model, onnx_path: Path) -> Path | None:
    """Put every tensor of ALIGNMENT bytes or more in the weights file, aligned."""
    import onnx

    big = [t for t in model.graph.initializer if len(t.raw_data) >= ALIGNMENT]
    if not big:
        return None
    weights, offset = weights_file(onnx_path), 0
    with weights.open("wb") as out:
        for tensor in big:
            data = tensor.raw_data
            out.write(b"\0" * (-offset % ALIGNMENT))
            offset += -offset % ALIGNMENT
            out.write(data)
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            place = {"location": weights.name, "offset": offset, "length": len(data)}
            for key, value in place.items():
                entry = tensor.external_data.add()
                entry.key, entry.value = key, str(value)
            offset += len(data)
    return weights


class TokenRows:
    """The token-embedding rows of a batch, read from the rows file (thread-safe)."""

    def __init__(self, path: Path, input_name: str, shape: list[int], dtype: str) -> None:
        self.input = input_name
        self.count, self.width = int(shape[0]), int(shape[1])
        self.dtype = np.dtype(dtype)
        self.row_bytes = self.width * self.dtype.itemsize
        if os.path.getsize(path) != self.count * self.row_bytes:
            raise ValueError(f"{path} does not hold {self.count} rows of {self.width}")
        self._fd = os.open(path, os.O_RDONLY)

    @classmethod
    def of(cls, onnx_path: Path, metadata: dict[str, str]) -> TokenRows | None:
        """The rows an export's graph takes as input, or None when it holds its table."""
        if ROWS_KEY not in metadata:
            return None
        facts = json.loads(metadata[ROWS_KEY])
        return cls(rows_file(onnx_path), facts["input"], facts["shape"], facts["dtype"])

    def __call__(self, ids: np.ndarray) -> np.ndarray:
        """Rows for a (batch, tokens) array of token ids: (batch, tokens, width)."""
        unique, where = np.unique(ids, return_inverse=True)
        if len(unique) and not 0 <= int(unique[0]) <= int(unique[-1]) < self.count:
            raise ValueError(f"token ids outside 0..{self.count - 1}")
        rows = np.empty((len(unique), self.width), self.dtype)
        for n, token in enumerate(unique.tolist()):
            rows[n] = np.frombuffer(
                os.pread(self._fd, self.row_bytes, token * self.row_bytes), self.dtype
            )
        return rows[where.reshape(ids.shape)]

    def __del__(self) -> None:
        fd, self._fd = getattr(self, "_fd", -1), -1
        if fd >= 0:
            os.close(fd)
