"""ember.vision.datasets vs torchvision on small files written in the real formats."""
from __future__ import annotations

import gzip
import hashlib
import os
import pickle
import struct
import tarfile
import zipfile

import numpy as np
import pytest

import ember
from vision._helpers import ET, TT, Image, assert_same, same_error, torch, tv

import ember.vision.datasets as ED  # noqa: E402
import ember.vision.datasets.utils as EU  # noqa: E402
import torchvision.datasets as TD  # noqa: E402
import torchvision.datasets.utils as TU  # noqa: E402

IDX_TYPES = {"uint8": 0x08, "int8": 0x09, "int16": 0x0B, "int32": 0x0C, "float32": 0x0D,
             "float64": 0x0E}


def write_idx(path, arr):
    """An IDX file: 0x0000, type byte, ndim byte, big-endian sizes, big-endian data."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    header = struct.pack(">HBB", 0, IDX_TYPES[arr.dtype.name], arr.ndim)
    header += b"".join(struct.pack(">I", n) for n in arr.shape)
    with open(path, "wb") as f:
        f.write(header + arr.astype(arr.dtype.newbyteorder(">")).tobytes())


def make_mnist(root, folder, prefix="", n=(6, 4), size=(28, 28)):
    rs = np.random.RandomState(0)
    raw = os.path.join(root, folder, "raw")
    for split, count in zip(("train", "t10k"), n):
        write_idx(os.path.join(raw, f"{prefix}{split}-images-idx3-ubyte"),
                  rs.randint(0, 256, (count,) + size).astype(np.uint8))
        write_idx(os.path.join(raw, f"{prefix}{split}-labels-idx1-ubyte"),
                  rs.randint(0, 10, count).astype(np.uint8))


def compare_dataset(de, dt, check_items=True):
    assert len(de) == len(dt)
    assert repr(de).replace("ember.", "torch.") == repr(dt)
    if check_items:
        for i in range(len(de)):
            assert_same(list(de[i]), list(dt[i]))


@pytest.mark.parametrize("name", ["MNIST", "FashionMNIST", "KMNIST"])
@pytest.mark.parametrize("train", [True, False])
def test_mnist_family(tmp_path, name, train):
    make_mnist(str(tmp_path), name)
    de = getattr(ED, name)(str(tmp_path), train=train)
    dt = getattr(TD, name)(str(tmp_path), train=train)
    assert_same(de.data, dt.data)
    assert_same(de.targets, dt.targets)
    assert de.classes == dt.classes and de.class_to_idx == dt.class_to_idx
    assert de.raw_folder == dt.raw_folder
    compare_dataset(de, dt)


def shift_target(y):
    return y + 100


def test_mnist_transforms_and_loader(tmp_path):
    make_mnist(str(tmp_path), "MNIST")
    de = ED.MNIST(str(tmp_path), transform=ET.Compose([ET.ToTensor(), ET.Normalize([0.1], [0.3])]),
                  target_transform=shift_target)
    dt = TD.MNIST(str(tmp_path), transform=TT.Compose([TT.ToTensor(), TT.Normalize([0.1], [0.3])]),
                  target_transform=shift_target)
    compare_dataset(de, dt)
    loader = ember.utils.data.DataLoader(de, batch_size=4)
    xb, yb = next(iter(loader))
    assert xb.shape == (4, 1, 28, 28) and yb.tolist() == [int(t) + 100 for t in dt.targets[:4]]


def test_mnist_missing_and_legacy(tmp_path):
    same_error(lambda: ED.MNIST(str(tmp_path)), lambda: TD.MNIST(str(tmp_path)))
    processed = tmp_path / "MNIST" / "processed"
    processed.mkdir(parents=True)
    data = torch.arange(2 * 28 * 28, dtype=torch.uint8).view(2, 28, 28)
    torch.save((data, torch.tensor([3, 4])), processed / "training.pt")
    torch.save((data[:1], torch.tensor([5])), processed / "test.pt")
    for train in (True, False):
        de, dt = ED.MNIST(str(tmp_path), train=train), TD.MNIST(str(tmp_path), train=train)
        assert_same(de.data, dt.data)
        compare_dataset(de, dt)


@pytest.mark.parametrize("split", ["letters", "balanced", "digits"])
def test_emnist(tmp_path, split):
    make_mnist(str(tmp_path), "EMNIST", prefix=f"emnist-{split}-", n=(3, 2))
    os.rename(tmp_path / "EMNIST" / "raw" / f"emnist-{split}-t10k-images-idx3-ubyte",
              tmp_path / "EMNIST" / "raw" / f"emnist-{split}-test-images-idx3-ubyte")
    os.rename(tmp_path / "EMNIST" / "raw" / f"emnist-{split}-t10k-labels-idx1-ubyte",
              tmp_path / "EMNIST" / "raw" / f"emnist-{split}-test-labels-idx1-ubyte")
    for train in (True, False):
        de = ED.EMNIST(str(tmp_path), split, train=train)
        dt = TD.EMNIST(str(tmp_path), split, train=train)
        assert de.classes == dt.classes
        compare_dataset(de, dt)
    same_error(lambda: ED.EMNIST(str(tmp_path), "nope"), lambda: TD.EMNIST(str(tmp_path), "nope"))
    same_error(lambda: ED.EMNIST(str(tmp_path), 3), lambda: TD.EMNIST(str(tmp_path), 3))


@pytest.mark.parametrize("what,compat", [("train", True), ("test10k", False), ("nist", True)])
def test_qmnist(tmp_path, what, compat):
    rs = np.random.RandomState(1)
    raw = tmp_path / "QMNIST" / "raw"
    stem = {"train": "qmnist-train", "test10k": "qmnist-test", "nist": "xnist"}[what]
    write_idx(str(raw / f"{stem}-images-idx3-ubyte"), rs.randint(0, 256, (5, 28, 28))
              .astype(np.uint8))
    write_idx(str(raw / f"{stem}-labels-idx2-int"), rs.randint(0, 9, (5, 8)).astype(np.int32))
    de = ED.QMNIST(str(tmp_path), what=what, compat=compat)
    dt = TD.QMNIST(str(tmp_path), what=what, compat=compat)
    assert_same(de.targets, dt.targets)
    compare_dataset(de, dt)


@pytest.mark.parametrize("dtype", sorted(IDX_TYPES))
def test_read_idx_types(tmp_path, dtype):
    from ember.vision.datasets.mnist import read_sn3_pascalvincent_tensor as read_e
    from torchvision.datasets.mnist import read_sn3_pascalvincent_tensor as read_t
    arr = (np.arange(24).reshape(2, 3, 4) * 37 - 300).astype(dtype)
    write_idx(str(tmp_path / "f"), arr)
    assert_same(read_e(str(tmp_path / "f")), read_t(str(tmp_path / "f")))


def write_cifar(root, folder, files, meta_name, meta_key, label_key, n=4):
    rs = np.random.RandomState(2)
    base = os.path.join(root, folder)
    os.makedirs(base)
    md5 = {}
    for name in files:
        entry = {"data": rs.randint(0, 256, (n, 3072)).astype(np.uint8),
                 label_key: rs.randint(0, 10, n).tolist(), "batch_label": name}
        with open(os.path.join(base, name), "wb") as f:
            pickle.dump(entry, f)
    with open(os.path.join(base, meta_name), "wb") as f:
        pickle.dump({meta_key: [f"class{i}" for i in range(10)]}, f)
    for name in files + [meta_name]:
        with open(os.path.join(base, name), "rb") as f:
            md5[name] = hashlib.md5(f.read()).hexdigest()
    return md5


def patch_cifar(monkeypatch, cls_e, cls_t, md5, train_names, test_names, meta):
    for cls in (cls_e, cls_t):
        monkeypatch.setattr(cls, "train_list", [[n, md5[n]] for n in train_names])
        monkeypatch.setattr(cls, "test_list", [[n, md5[n]] for n in test_names])
        monkeypatch.setattr(cls, "meta", dict(cls.meta, md5=md5[meta]))


@pytest.mark.parametrize("train", [True, False])
def test_cifar10(tmp_path, monkeypatch, train):
    train_names = [f"data_batch_{i}" for i in range(1, 6)]
    md5 = write_cifar(str(tmp_path), "cifar-10-batches-py", train_names + ["test_batch"],
                      "batches.meta", "label_names", "labels")
    patch_cifar(monkeypatch, ED.CIFAR10, TD.CIFAR10, md5, train_names, ["test_batch"],
                "batches.meta")
    de = ED.CIFAR10(str(tmp_path), train=train, transform=ET.ToTensor())
    dt = TD.CIFAR10(str(tmp_path), train=train, transform=TT.ToTensor())
    np.testing.assert_array_equal(de.data, dt.data)
    assert de.data.strides == dt.data.strides and de.targets == dt.targets
    assert de.classes == dt.classes and de.class_to_idx == dt.class_to_idx
    compare_dataset(de, dt)


def test_cifar100_and_errors(tmp_path, monkeypatch):
    same_error(lambda: ED.CIFAR10(str(tmp_path)), lambda: TD.CIFAR10(str(tmp_path)))
    md5 = write_cifar(str(tmp_path), "cifar-100-python", ["train", "test"], "meta",
                      "fine_label_names", "fine_labels")
    patch_cifar(monkeypatch, ED.CIFAR100, TD.CIFAR100, md5, ["train"], ["test"], "meta")
    compare_dataset(ED.CIFAR100(str(tmp_path)), TD.CIFAR100(str(tmp_path)))
    with open(tmp_path / "cifar-100-python" / "test", "ab") as f:
        f.write(b"x")  # corrupt: md5 mismatch
    same_error(lambda: ED.CIFAR100(str(tmp_path)), lambda: TD.CIFAR100(str(tmp_path)))


@pytest.mark.parametrize("kw", [{}, {"image_size": (1, 5, 6), "num_classes": 3,
                                     "random_offset": 7}])
def test_fakedata(kw):
    de = ED.FakeData(size=4, **{"image_size": (3, 6, 5), **kw})
    dt = TD.FakeData(size=4, **{"image_size": (3, 6, 5), **kw})
    ember.manual_seed(11)
    state = ember.get_rng_state()
    compare_dataset(de, dt)
    assert ember.equal(ember.get_rng_state(), state)
    same_error(lambda: de[4], lambda: dt[4])


def make_tree(root):
    rs = np.random.RandomState(3)
    files = {"cat": ["a.png", "b.JPG", "notes.txt", "sub/c.png"], "dog": ["x.bmp", "y.png"],
             "empty": ["readme.md"]}
    for cls, names in files.items():
        for name in names:
            path = os.path.join(root, cls, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if name.endswith((".txt", ".md")):
                open(path, "w").close()
                continue
            fmt = {"png": "PNG", "jpg": "PNG", "bmp": "BMP"}[name.rsplit(".", 1)[1].lower()]
            Image.fromarray(rs.randint(0, 256, (4, 5, 3)).astype(np.uint8)).save(path, fmt)


def test_image_folder(tmp_path):
    make_tree(str(tmp_path))
    same_error(lambda: ED.ImageFolder(str(tmp_path)), lambda: TD.ImageFolder(str(tmp_path)))
    for kw in ({"allow_empty": True},
               {"is_valid_file": lambda p: p.endswith(".png"), "allow_empty": True}):
        de = ED.ImageFolder(str(tmp_path), transform=ET.PILToTensor(), **kw)
        dt = TD.ImageFolder(str(tmp_path), transform=TT.PILToTensor(), **kw)
        assert de.classes == dt.classes and de.class_to_idx == dt.class_to_idx
        assert de.samples == dt.samples == de.imgs and de.targets == dt.targets
        compare_dataset(de, dt)


def test_dataset_folder_and_helpers(tmp_path):
    make_tree(str(tmp_path))
    loader = lambda p: os.path.getsize(p)  # noqa: E731
    de = ED.DatasetFolder(str(tmp_path), loader, extensions=(".txt", ".md"), allow_empty=True)
    dt = TD.DatasetFolder(str(tmp_path), loader, extensions=(".txt", ".md"), allow_empty=True)
    same_error(lambda: ED.DatasetFolder(str(tmp_path), loader, extensions=(".txt", ".md")),
               lambda: TD.DatasetFolder(str(tmp_path), loader, extensions=(".txt", ".md")))
    assert de.samples == dt.samples
    compare_dataset(de, dt)
    from ember.vision.datasets import folder as fe
    from torchvision.datasets import folder as ft
    assert fe.find_classes(str(tmp_path)) == ft.find_classes(str(tmp_path))
    assert fe.make_dataset(str(tmp_path), extensions=".png", allow_empty=True) == \
        ft.make_dataset(str(tmp_path), extensions=".png", allow_empty=True)
    for kw in ({}, {"extensions": ".png", "is_valid_file": bool}, {"class_to_idx": {}}):
        same_error(lambda: fe.make_dataset(str(tmp_path), **kw),
                   lambda: ft.make_dataset(str(tmp_path), **kw))
    same_error(lambda: fe.find_classes(str(tmp_path / "cat" / "sub")),
               lambda: ft.find_classes(str(tmp_path / "cat" / "sub")))
    same_error(lambda: ED.DatasetFolder.make_dataset(str(tmp_path), None, ".png"),
               lambda: TD.DatasetFolder.make_dataset(str(tmp_path), None, ".png"))
    img = fe.default_loader(str(tmp_path / "dog" / "y.png"))
    assert img.mode == "RGB" and fe.is_image_file("a.PNG") and not fe.is_image_file("a.gif")


def toy_dataset(base):
    class Toy(base):
        def __len__(self):
            return 3
    return Toy


def test_vision_dataset_repr_and_transforms():
    Toy, ToyT = toy_dataset(ED.VisionDataset), toy_dataset(TD.VisionDataset)

    for kw in ({}, {"transform": ET.Compose([ET.CenterCrop(2)]), "target_transform": abs},
               {"transforms": abs}):
        kwt = {k: (TT.Compose([TT.CenterCrop(2)]) if k == "transform" else v)
               for k, v in kw.items()}
        assert repr(Toy("~/data", **kw)).replace(os.path.expanduser("~"), "~") == \
            repr(ToyT("~/data", **kwt)).replace(os.path.expanduser("~"), "~")
    same_error(lambda: Toy("r", transforms=abs, transform=abs),
               lambda: ToyT("r", transforms=abs, transform=abs))
    st = ED.vision.StandardTransform(lambda x: x * 2, lambda y: -y)
    assert st(3, 4) == (6, -4)


def test_archive_utils(tmp_path):
    src = tmp_path / "payload.bin"
    src.write_bytes(b"0123456789" * 50)
    md5 = hashlib.md5(src.read_bytes()).hexdigest()
    assert EU.calculate_md5(str(src)) == TU.calculate_md5(str(src)) == md5
    assert EU.check_integrity(str(src), md5) and EU.check_integrity(str(src))
    assert not EU.check_integrity(str(src), "0" * 32)
    assert not EU.check_integrity(str(tmp_path / "missing"))
    EU.download_url("https://example.invalid/payload.bin", str(tmp_path), md5=md5)  # cached
    with gzip.open(tmp_path / "a.txt.gz", "wb") as f:
        f.write(b"hello")
    out = EU.extract_archive(str(tmp_path / "a.txt.gz"))
    assert out == str(tmp_path / "a.txt") and open(out, "rb").read() == b"hello"
    with tarfile.open(tmp_path / "b.tar.gz", "w:gz") as tar:
        tar.add(src, arcname="d/payload.bin")
    EU.extract_archive(str(tmp_path / "b.tar.gz"), str(tmp_path / "y"), remove_finished=True)
    assert (tmp_path / "y" / "d" / "payload.bin").read_bytes() == src.read_bytes()
    assert not (tmp_path / "b.tar.gz").exists()
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as z:
        z.write(src, "payload.bin")
    EU.extract_archive(str(tmp_path / "c.zip"))
    for name in ("noext", "file.rar"):
        same_error(lambda: EU.extract_archive(name), lambda: TU.extract_archive(name))
    assert EU.list_dir(str(tmp_path)) == TU.list_dir(str(tmp_path))
    assert EU.list_files(str(tmp_path), ".zip", True) == TU.list_files(str(tmp_path), ".zip", True)


def test_verify_str_arg():
    assert EU.verify_str_arg("a", "x", ("a", "b")) == "a"
    for args in [(3, "x", ("a",)), (3, None), ("c", "x", ("a", "b")), ("c", "x", ("a",), "msg")]:
        same_error(lambda: EU.verify_str_arg(*args), lambda: TU.verify_str_arg(*args))


def test_package_surface():
    import ember.vision as ev
    assert ev.get_image_backend() == tv.get_image_backend() == "PIL"
    same_error(lambda: ev.set_image_backend("x"), lambda: tv.set_image_backend("x"))
    assert set(ED.__all__) <= set(dir(TD))
