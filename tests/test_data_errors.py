"Bad input and edge cases of `cifar_dls` / `image_cache`: each gets a clear error naming the path, or a documented conversion"
import os, warnings
from pathlib import Path
import pytest, torch
from conftest import write_img
from fastai_smith.data import cifar_dls, image_cache, cifar_sample

SPEC = {'train/cat': 4, 'train/dog': 4, 'valid/cat': 2, 'valid/dog': 2}

def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path/'nope')): cifar_dls(tmp_path/'nope', device='cpu')

def test_path_is_a_file(tmp_path):
    f = write_img(tmp_path/'x.png')
    with pytest.raises(NotADirectoryError, match='x.png is not a folder'): cifar_dls(f, device='cpu')

def test_no_train_folder(make_folder):
    p = make_folder({'valid/cat': 2})
    with pytest.raises(FileNotFoundError, match=f"{p} has no train/ folder"): cifar_dls(p, device='cpu')

def test_no_validation_split(make_folder):
    p = make_folder({'train/cat': 2})
    with pytest.raises(FileNotFoundError, match="no validation split: add valid/<class>/\\* or test/<class>/\\*"): cifar_dls(p, device='cpu')

def test_empty_class(make_folder):
    p = make_folder(SPEC); (p/'train'/'bird').mkdir()
    with pytest.raises(ValueError, match=f"{p/'train'/'bird'} contains no images"): cifar_dls(p, device='cpu')

def test_empty_train(make_folder):
    p = make_folder({'valid/cat': 2}); (p/'train').mkdir()
    with pytest.raises(ValueError, match=f"{p/'train'} contains no images"): cifar_dls(p, device='cpu')

def test_image_outside_class_folder(make_folder):
    p = make_folder(SPEC); write_img(p/'train'/'stray.png')
    with pytest.raises(ValueError, match="stray.png is not in a class folder"): cifar_dls(p, device='cpu')

def test_unreadable_image(make_folder):
    p = make_folder(SPEC); (p/'train'/'cat'/'broken.jpg').write_bytes(b'not a jpeg at all')
    with pytest.raises(ValueError, match="broken.jpg cannot be read as an image"): cifar_dls(p, device='cpu')

def test_truncated_image(make_folder):
    p = make_folder(SPEC)
    good = write_img(p/'train'/'cat'/'full.jpg', size=(32,32))
    b = good.read_bytes(); good.write_bytes(b[:len(b)//3])
    with pytest.raises(ValueError, match="full.jpg cannot be read as an image"): cifar_dls(p, device='cpu')

def test_mixed_sizes_error_then_resize(make_folder):
    p = make_folder(SPEC); write_img(p/'train'/'dog'/'big.png', size=(40,36))
    with pytest.raises(ValueError, match="big.png is 40x36 but .* is 32x32: images of different sizes need size="):
        cifar_dls(p, device='cpu')
    dls = cifar_dls(p, size=32, bs=2, device='cpu')
    assert len(dls.train_ds) == 9 and dls.one_batch()[0].shape[-2:] == (32, 32)

def test_train_valid_sizes_differ(make_folder):
    p = make_folder({'train/cat': 2, 'train/dog': 2})
    for i in range(2): write_img(p/'valid'/'cat'/f'{i}.png', size=(28,28))
    with pytest.raises(ValueError, match="images are .*32, 32.* but .*valid images are .*28, 28"): cifar_dls(p, device='cpu')

def test_greyscale_and_rgba_converted_with_warning(make_folder):
    p = make_folder(SPEC)
    g = write_img(p/'train'/'cat'/'grey.png', mode='L')
    write_img(p/'valid'/'dog'/'alpha.png', mode='RGBA')
    with pytest.warns(UserWarning, match="not RGB .* converted to RGB"): d = image_cache(p)
    assert d['train_x'].shape[1] == 3
    i = d['train_files'].index(str(g.relative_to(p)))
    assert torch.equal(d['train_x'][i][0], d['train_x'][i][1])  # grey: all channels equal

def test_valid_class_not_in_train(make_folder):
    p = make_folder({**SPEC, 'valid/bird': 1})
    with pytest.raises(ValueError, match="has classes not in .*train: bird"): cifar_dls(p, device='cpu')

def test_test_folder_and_nested_classes(make_folder):
    "untar_data's layout: train/ + test/; labels are the parent folder even when class folders are nested"
    p = make_folder({'train/animal/cat': 3, 'train/animal/dog': 3, 'train/vehicle/car': 3, 'test/animal/cat': 1,
                     'test/animal/dog': 1, 'test/vehicle/car': 1})
    dls = cifar_dls(p, bs=4, device='cpu')
    assert list(dls.vocab) == ['car', 'cat', 'dog'] and len(dls.valid_ds) == 3

def test_cache_rebuilt_when_folder_changes(make_folder):
    p = make_folder(SPEC)
    d1 = image_cache(p)
    assert len(d1['train_x']) == 8
    write_img(p/'train'/'dog'/'new.png', seed=123)                     # a file added
    d2 = image_cache(p)
    assert len(d2['train_x']) == 9 and d2['fingerprint'] != d1['fingerprint']
    f = p/'valid'/'cat'/'000.png'; write_img(f, seed=999)            # a file modified
    os.utime(f, ns=(1, 1))                                           # even with an old mtime the size/mtime pair changes
    d3 = image_cache(p)
    i = d3['valid_files'].index('valid/cat/000.png')
    assert not torch.equal(d3['valid_x'][i], d2['valid_x'][i])
    (p/'train'/'dog'/'new.png').unlink()                              # a file removed
    assert len(image_cache(p)['train_x']) == 8

def test_corrupt_cache_is_rebuilt(make_folder):
    p = make_folder(SPEC)
    image_cache(p)
    cf, = (p/'.fastai_smith').glob('*.pt')
    cf.write_bytes(b'garbage')
    assert len(image_cache(p)['train_x']) == 8

def test_cache_false_writes_nothing(make_folder):
    p = make_folder(SPEC)
    image_cache(p, cache=False)
    assert not (p/'.fastai_smith').exists()

def test_cache_in_given_folder(make_folder, tmp_path):
    p = make_folder(SPEC)
    image_cache(p, cache=tmp_path/'cachedir')
    assert list((tmp_path/'cachedir').glob('*.pt')) and not (p/'.fastai_smith').exists()

@pytest.mark.skipif(os.geteuid() == 0, reason='root can write to read-only folders')
def test_read_only_data_uses_user_cache(make_folder, tmp_path, monkeypatch):
    p = make_folder(SPEC)
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path/'xdg'))
    os.chmod(p, 0o555)
    try: image_cache(p)
    finally: os.chmod(p, 0o755)
    assert list((tmp_path/'xdg'/'fastai_smith').rglob('*.pt'))

def test_unwritable_cache_dir_falls_back(make_folder, tmp_path, monkeypatch):
    "A data folder where the cache folder cannot be created (here: a file in its place) caches under XDG_CACHE_HOME"
    p = make_folder(SPEC)
    (p/'.fastai_smith').write_text('a file, not a folder')
    monkeypatch.setenv('XDG_CACHE_HOME', str(tmp_path/'xdg'))
    image_cache(p)
    assert list((tmp_path/'xdg'/'fastai_smith').rglob('*.pt'))

def test_bad_arguments(make_folder):
    p = make_folder(SPEC)
    with pytest.raises(ValueError, match="n_train=5 but class 'cat' has only 4 training images"): cifar_dls(p, n_train=5, device='cpu')
    with pytest.raises(ValueError, match="n_valid=-1"): cifar_dls(p, n_valid=-1, device='cpu')
    with pytest.raises(ValueError, match="n_train=True"): cifar_dls(p, n_train=True, device='cpu')
    with pytest.raises(ValueError, match="val_bs=0"): cifar_dls(p, val_bs=0, device='cpu')
    with pytest.raises(ValueError, match="name='mnist' is unknown"): cifar_dls(name='mnist')

def test_fraction_keeps_at_least_one_per_class(make_folder):
    dls = cifar_dls(make_folder(SPEC), n_train=0.01, bs=1, device='cpu')
    assert len(dls.train_ds) == 2

def test_cifar_sample_unpacks_once(tmp_path):
    p = cifar_sample(tmp_path/'s')
    assert (p/'train').is_dir() and (p/'valid').is_dir()
    assert sum(1 for _ in (p/'train').rglob('*.jpg')) == 5000 and sum(1 for _ in (p/'valid').rglob('*.jpg')) == 1000
    marker = (p/'.complete').stat().st_mtime_ns
    assert cifar_sample(tmp_path/'s') == p and (p/'.complete').stat().st_mtime_ns == marker
    (p/'.complete').write_text('stale')                                # an older sample is replaced
    cifar_sample(tmp_path/'s')
    assert (p/'.complete').read_text() != 'stale'

def test_cifar_sample_keeps_a_copy_finished_meanwhile(tmp_path, monkeypatch):
    "Two processes unpacking at once: the one that finishes second keeps the first one's complete folder (which may be in use) and leaves no temporary folder"
    import hashlib, tarfile
    from fastai_smith.data import _sample_archive
    dest = tmp_path/'s'
    def other_process_finishes(self, *a, **k):   # while this process extracts, another one completes dest
        dest.mkdir(); (dest/'in_use').write_text('read by the other process')
        (dest/'.complete').write_text(hashlib.sha1(_sample_archive().read_bytes()).hexdigest())
    monkeypatch.setattr(tarfile.TarFile, 'extractall', other_process_finishes)
    assert cifar_sample(dest) == dest
    assert (dest/'in_use').exists()   # not deleted and replaced
    assert [o.name for o in tmp_path.iterdir() if o.name.startswith('.')] == []

def test_sample_archive_is_small():
    from fastai_smith.data import _sample_archive
    assert _sample_archive().stat().st_size <= 5_000_000

def test_one_class(make_folder):
    p = make_folder({'train/cat': 3, 'valid/cat': 2})
    with pytest.raises(ValueError, match=r"train has 1 class \(cat\): a classifier needs at least two class folders"): cifar_dls(p, device='cpu')

@pytest.mark.parametrize('stats,msg', [
    (([0.5]*3, [0., 0.25, 0.25]), 'standard deviations > 0'),
    (([0.5]*3, [float('nan')]*3), 'standard deviations > 0'),
    (([0.5]*2, [0.25]*2), 'one value per channel: the images have 3 channels'),
    (([0.5]*3,), 'give \\(mean, std\\)'),
])
def test_bad_stats(make_folder, stats, msg):
    p = make_folder(SPEC)
    with pytest.raises(ValueError, match=msg): cifar_dls(p, stats=stats, device='cpu', cache=False)

def test_cache_is_a_file(make_folder, tmp_path):
    p = make_folder(SPEC); f = tmp_path/'cache.pt'; f.write_bytes(b'mine')
    with pytest.raises(ValueError, match="cache=.*cache.pt' is a file: give a folder"): cifar_dls(p, cache=f, device='cpu')
    assert f.read_bytes() == b'mine'

@pytest.mark.parametrize('size', [0, -4, 2.5])
def test_bad_size_even_with_a_cache(make_folder, size):
    p = make_folder(SPEC)
    cifar_dls(p, device='cpu')   # a cache exists now: the bad size must still be refused, not ignored
    with pytest.raises(ValueError, match=f"size={size!r}: must be an integer >= 1"): cifar_dls(p, size=size, device='cpu')
