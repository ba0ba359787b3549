"""Build `fastai_smith/assets/cifar10_sample.tgz`, the CIFAR-10 sample shipped inside the package.

Usage: python tools/make_sample.py [../shared/data/cifar10_jpg.tgz]

Takes 500 training and 100 validation images per class, chosen with a fixed seed from the full
CIFAR-10 JPEG archive (`train/` and `test/`), and writes them as `train/<class>/*.jpg` and
`valid/<class>/*.jpg`. The JPEG bytes are copied unchanged, so the sample decodes exactly as the full set.
"""
import io, random, sys, tarfile
from pathlib import Path

N_TRAIN, N_VALID, SEED = 500, 100, 42
root = Path(__file__).resolve().parents[1]
src = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent/'shared'/'data'/'cifar10_jpg.tgz'
dest = root/'fastai_smith'/'assets'/'cifar10_sample.tgz'

with tarfile.open(src) as tf: members = {m.name: tf.extractfile(m).read() for m in tf if m.isfile()}
rng = random.Random(SEED)
out = {}
for split, new, n in (('train', 'train', N_TRAIN), ('test', 'valid', N_VALID)):
    classes = sorted({k.split('/')[1] for k in members if k.startswith(split+'/')})
    for c in classes:
        names = sorted(k for k in members if k.startswith(f'{split}/{c}/'))
        for k in sorted(rng.sample(names, n)): out[f'{new}/{c}/{Path(k).name}'] = members[k]

dest.parent.mkdir(parents=True, exist_ok=True)
with tarfile.open(dest, 'w:gz') as tf:
    for k, b in sorted(out.items()):
        ti = tarfile.TarInfo(k); ti.size, ti.mtime, ti.mode = len(b), 0, 0o644
        tf.addfile(ti, io.BytesIO(b))
print(f'wrote {dest} ({dest.stat().st_size/1e6:.2f} MB, {len(out)} images)')
