"The data pipeline and a real fit on the full CIFAR-10 from ../shared (slow: about a minute on one CPU core)"
import pytest, torch
from fastai.vision.all import set_seed, accuracy
import fastai_smith.data as fsd
from fastai_smith.data import cifar_dls, image_cache
from fastai_smith.models import cifar_learner

pytestmark = pytest.mark.slow
CLASSES = ['airplane','automobile','bird','cat','deer','dog','frog','horse','ship','truck']

@pytest.fixture(scope='module')
def cache(cifar10_path): return image_cache(cifar10_path)

def test_counts_and_classes(cifar10_path, cache):
    assert cache['vocab'] == CLASSES and cache['valid_name'] == 'test'
    assert cache['train_x'].shape == (50000, 3, 32, 32) and cache['valid_x'].shape == (10000, 3, 32, 32)
    assert cache['train_x'].dtype == torch.uint8
    assert torch.bincount(cache['train_y']).tolist() == [5000]*10
    assert torch.bincount(cache['valid_y']).tolist() == [1000]*10
    dls = cifar_dls(cifar10_path, bs=256, device='cpu')
    assert list(dls.vocab) == CLASSES and (len(dls.train_ds), len(dls.valid_ds)) == (50000, 10000)
    assert len(dls.train) == 50000//256 and len(dls.valid) == -(-10000//512)   # drop_last on train only

def test_second_call_reads_the_cache(cifar10_path, cache, monkeypatch):
    monkeypatch.setattr(fsd, '_decode', lambda *a, **k: pytest.fail('images decoded again instead of read from the cache'))
    d = image_cache(cifar10_path)
    assert torch.equal(d['valid_x'][:100], cache['valid_x'][:100])

def test_normalisation_stats(cifar10_path, cache):
    "The training set's channel statistics: CIFAR-10's published ones, up to the JPEG re-encoding"
    test_mean, test_std = torch.tensor([0.4914, 0.4822, 0.4465]), torch.tensor([0.2470, 0.2435, 0.2616])
    assert torch.allclose(cache['mean'], test_mean, atol=0.01) and torch.allclose(cache['std'], test_std, atol=0.01)
    dls = cifar_dls(cifar10_path, bs=512, device='cpu', n_valid=0.2)
    xs = torch.cat([x for x,_ in dls.valid])
    assert xs.mean((0,2,3)).abs().max() < 0.03 and (xs.std((0,2,3)) - 1).abs().max() < 0.03

def test_augmentation_only_on_training(cifar10_path):
    dls = cifar_dls(cifar10_path, bs=64, val_bs=64, device='cpu', n_train=10, n_valid=10)
    (xt,_),(xv,_) = dls.train.one_batch(), dls.valid.one_batch()
    assert xt.shape == xv.shape == (64, 3, 32, 32)
    m,s = dls.stats
    raw = ((xv*s[:,None,None] + m[:,None,None])*255).round()
    vi = dls.valid_ds.tls[0].items[:64]
    assert torch.allclose(raw, dls.valid_ds.tls[0].tfms.fs[0].x[list(vi)].float(), atol=1e-3)

def test_resnet20_two_epochs_beats_25_percent(cifar10_path):
    "2 epochs of 1cycle on 3,000 CIFAR-10 training images (300 per class): > 25% on 1,000 test images (chance: 10%)"
    set_seed(0, reproducible=True)
    dls = cifar_dls(cifar10_path, bs=128, n_train=300, n_valid=100, device='cpu')
    learn = cifar_learner(dls, 'resnet20')
    learn.fit_one_cycle(2, 5e-3)
    loss, acc, top5 = learn.validate()
    print(f'resnet20, 2 epochs on 3,000 images: valid loss {loss:.3f}, accuracy {acc:.3f}, top-5 {top5:.3f}')
    assert len(dls.valid_ds) == 1000 and acc > 0.25
