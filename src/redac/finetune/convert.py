"""A peft LoRA adapter -> llama.cpp's GGUF LoRA adapter format (served with the base GGUF).

The layout is the one llama.cpp's ``convert_lora_to_gguf.py`` writes and ``llama_adapter_lora_init``
reads: ``general.type = adapter``, ``adapter.type = lora``, ``adapter.lora.alpha``, and for each adapted
weight ``<gguf name>.lora_a`` (rank x in) and ``<gguf name>.lora_b`` (out x rank), named with the
``gguf`` package's own tensor-name map for the architecture. Written with ``gguf`` directly, so no
llama.cpp checkout is needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from redac.errors import ConfigError

_PEFT_NAME = re.compile(r"^(?:base_model\.model\.)?(?P<module>.+)\.lora_(?P<ab>[AB])(?:\.default)?\.weight$")


def gguf_arch(model_type: str):
    import gguf

    names = {v: k for k, v in gguf.MODEL_ARCH_NAMES.items()}
    arch = names.get(model_type)
    if arch is None:
        raise ConfigError(f"no GGUF architecture named {model_type!r}", field="base_model")
    return arch


def convert(adapter_dir: Path, out_path: Path, *, arch_name: str = "gemma3", n_layers: int | None = None,
            dtype: str = "f16") -> Path:
    """Write ``out_path`` (GGUF) from a peft adapter folder (``adapter_config.json`` + safetensors)."""
    import gguf
    import numpy as np
    from safetensors.numpy import load_file

    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    tensors = load_file(str(adapter_dir / "adapter_model.safetensors"))
    layers = n_layers or 1 + max(int(m) for m in re.findall(r"layers\.(\d+)\.", " ".join(tensors)))
    arch = gguf_arch(arch_name)
    names = gguf.get_tensor_name_map(arch, layers)
    np_dtype = {"f16": np.float16, "f32": np.float32}[dtype]

    pairs: dict[str, dict[str, np.ndarray]] = {}
    for name, value in tensors.items():
        m = _PEFT_NAME.match(name)
        if m is None:
            raise ValueError(f"unexpected tensor in adapter: {name}")
        target = names.get_name(m["module"] + ".weight", try_suffixes=(".weight",))
        if target is None:
            raise ValueError(f"no GGUF name for {m['module']}")
        pairs.setdefault(target, {})[m["ab"]] = value

    out_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_path.with_name(out_path.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), arch_name)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(config["lora_alpha"]))
    for target in sorted(pairs):
        ab = pairs[target]
        if set(ab) != {"A", "B"}:
            raise ValueError(f"{target}: LoRA pair incomplete ({sorted(ab)})")
        writer.add_tensor(f"{target}.lora_a", np.ascontiguousarray(ab["A"].astype(np_dtype)))
        writer.add_tensor(f"{target}.lora_b", np.ascontiguousarray(ab["B"].astype(np_dtype)))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    tmp.replace(out_path)
    return out_path
