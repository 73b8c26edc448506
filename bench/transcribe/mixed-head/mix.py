"""Writes a whisper.cpp ggml model that is BASE with the token embedding (which whisper's
decoder also uses as its output projection) taken from OTHER, e.g. the f16 model with the
q8_0 model's token embedding. Only a whisper.cpp patched with token-embedding-type.patch loads
it (stock whisper.cpp gives every weight matrix the file's one type).

usage: mix.py BASE OTHER OUT
"""
import struct
import sys

TOKEN_EMBEDDING = "decoder.token_embedding.weight"
# ggml type -> bytes for n values (f32, f16, q8_0: blocks of 32 values in 34 bytes)
SIZES = {0: lambda n: 4 * n, 1: lambda n: 2 * n, 8: lambda n: n // 32 * 34}


def parse(path):
    """(header bytes, [(name, the tensor's bytes with its own header)])"""
    b = open(path, "rb").read()
    o = 4 + 11 * 4  # magic, hparams
    n_mel, n_fft = struct.unpack_from("<ii", b, o)
    o += 8 + 4 * n_mel * n_fft  # mel filters
    (n_vocab,) = struct.unpack_from("<i", b, o)
    o += 4
    for _ in range(n_vocab):
        (length,) = struct.unpack_from("<i", b, o)
        o += 4 + length
    header, tensors = b[:o], []
    while o < len(b):
        n_dims, name_len, ttype = struct.unpack_from("<iii", b, o)
        end = o + 12
        dims = struct.unpack_from(f"<{n_dims}i", b, end)
        end += 4 * n_dims
        name = b[end:end + name_len].decode()
        end += name_len
        n = 1
        for d in dims:
            n *= d
        end += SIZES[ttype](n)
        tensors.append((name, b[o:end]))
        o = end
    return header, tensors


def main():
    base, other, out = sys.argv[1:4]
    header, tensors = parse(base)
    replacement = dict(parse(other)[1])[TOKEN_EMBEDDING]
    with open(out, "wb") as f:
        f.write(header)
        for name, raw in tensors:
            f.write(replacement if name == TOKEN_EMBEDDING else raw)


main()
