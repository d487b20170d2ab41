"""Download, checksum and archive helpers of the datasets (torchvision.datasets.utils)."""
from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import re
import tarfile
import urllib.error
import urllib.request
import zipfile
from urllib.parse import urlparse

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "list_dir",
           "list_files", "download_file_from_google_drive", "extract_archive",
           "download_and_extract_archive", "iterable_to_str", "verify_str_arg"]

USER_AGENT = "pytorch/vision"


def _progress(total):
    """A tqdm bar when tqdm (the 'progress' extra) is installed, else a silent stand-in."""
    try:
        from tqdm import tqdm
    except ImportError:
        return _NoProgress()
    return tqdm(total=total, unit="B", unit_scale=True)


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n):
        pass


def _urlretrieve(url, filename, chunk_size=1024 * 32):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request) as response:
        with open(filename, "wb") as fh, _progress(response.length) as pbar:
            while chunk := response.read(chunk_size):
                fh.write(chunk)
                pbar.update(len(chunk))


def calculate_md5(fpath, chunk_size=1024 * 1024):
    """The hex MD5 digest of a file, read in chunks."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """True when the file exists and, if `md5` is given, has that checksum."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def _get_redirect_url(url, max_hops=3):
    initial_url = url
    headers = {"Method": "HEAD", "User-Agent": USER_AGENT}
    for _ in range(max_hops + 1):
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as response:
            if response.url == url or response.url is None:
                return url
            url = response.url
    raise RecursionError(f"Request to {initial_url} exceeded {max_hops} redirects. The last "
                         f"redirect points to {url}.")


def _get_google_drive_file_id(url):
    parts = urlparse(url)
    if re.match(r"(drive|docs)[.]google[.]com", parts.netloc) is None:
        return None
    match = re.match(r"/file/d/(?P<id>[^/]*)", parts.path)
    return None if match is None else match.group("id")


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Download `url` into ``root/filename`` unless a file with the right md5 is there.

    Retries over http when https fails; raises RuntimeError when the result's checksum
    does not match.
    """
    root = os.path.expanduser(root)
    if not filename:
        filename = os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    url = _get_redirect_url(url, max_hops=max_redirect_hops)
    file_id = _get_google_drive_file_id(url)
    if file_id is not None:
        return download_file_from_google_drive(file_id, root, filename, md5)
    try:
        _urlretrieve(url, fpath)
    except (urllib.error.URLError, OSError):
        if url[:5] != "https":
            raise
        _urlretrieve(url.replace("https:", "http:"), fpath)
    if not check_integrity(fpath, md5):
        raise RuntimeError("File not found or corrupted.")


def list_dir(root, prefix=False):
    """The folders directly under `root` (joined to `root` when `prefix`)."""
    root = os.path.expanduser(root)
    directories = [p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))]
    return [os.path.join(root, d) for d in directories] if prefix is True else directories


def list_files(root, suffix, prefix=False):
    """The files directly under `root` ending with `suffix`."""
    root = os.path.expanduser(root)
    files = [p for p in os.listdir(root)
             if os.path.isfile(os.path.join(root, p)) and p.endswith(suffix)]
    return [os.path.join(root, d) for d in files] if prefix is True else files


def download_file_from_google_drive(file_id, root, filename=None, md5=None):
    """Download a Google Drive file with ``gdown`` (which must be installed)."""
    try:
        import gdown
    except ModuleNotFoundError:
        raise RuntimeError("To download files from GDrive, 'gdown' is required. You can install "
                           "it with 'pip install gdown'.") from None
    root = os.path.expanduser(root)
    if not filename:
        filename = file_id
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    gdown.download(id=file_id, output=fpath, quiet=False, user_agent=USER_AGENT)
    if not check_integrity(fpath, md5):
        raise RuntimeError("File not found or corrupted.")


def _extract_tar(from_path, to_path, compression):
    with tarfile.open(from_path, f"r:{compression[1:]}" if compression else "r") as tar:
        # the 'data' filter (Python >= 3.11.4) refuses members that escape to_path
        if hasattr(tarfile, "data_filter"):
            tar.extractall(to_path, filter="data")
        else:
            tar.extractall(to_path)


_ZIP_COMPRESSION_MAP = {".bz2": zipfile.ZIP_BZIP2, ".xz": zipfile.ZIP_LZMA}


def _extract_zip(from_path, to_path, compression):
    mode = _ZIP_COMPRESSION_MAP[compression] if compression else zipfile.ZIP_STORED
    with zipfile.ZipFile(from_path, "r", compression=mode) as archive:
        archive.extractall(to_path)


_ARCHIVE_EXTRACTORS = {".tar": _extract_tar, ".zip": _extract_zip}
_COMPRESSED_FILE_OPENERS = {".bz2": bz2.open, ".gz": gzip.open, ".xz": lzma.open}
_FILE_TYPE_ALIASES = {".tbz": (".tar", ".bz2"), ".tbz2": (".tar", ".bz2"), ".tgz": (".tar", ".gz")}


def _detect_file_type(file):
    """(suffix, archive type or None, compression or None) from the file name."""
    suffixes = pathlib.Path(file).suffixes
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the "
                           "archive type and compression.")
    suffix = suffixes[-1]
    if suffix in _FILE_TYPE_ALIASES:
        return (suffix, *_FILE_TYPE_ALIASES[suffix])
    if suffix in _ARCHIVE_EXTRACTORS:
        return suffix, suffix, None
    if suffix in _COMPRESSED_FILE_OPENERS:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVE_EXTRACTORS:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    valid_suffixes = sorted(set(_FILE_TYPE_ALIASES) | set(_ARCHIVE_EXTRACTORS)
                            | set(_COMPRESSED_FILE_OPENERS))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\nKnown suffixes are: "
                       f"'{valid_suffixes}'.")


def _decompress(from_path, to_path=None, remove_finished=False):
    suffix, archive_type, compression = _detect_file_type(from_path)
    if not compression:
        raise RuntimeError(f"Couldn't detect a compression from suffix {suffix}.")
    if to_path is None:
        to_path = pathlib.Path(os.fspath(from_path).replace(
            suffix, archive_type if archive_type is not None else ""))
    with _COMPRESSED_FILE_OPENERS[compression](from_path, "rb") as rfh, open(to_path, "wb") as wfh:
        wfh.write(rfh.read())
    if remove_finished:
        os.remove(from_path)
    return pathlib.Path(to_path)


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Unpack a .tar/.zip archive (optionally compressed) or decompress a .gz/.bz2/.xz file.

    Returns the folder (archives) or file (plain compressed files) written, as a str when
    `from_path` is a str.
    """
    def path_or_str(ret_path):
        return os.fspath(ret_path) if isinstance(from_path, str) else ret_path

    if to_path is None:
        to_path = os.path.dirname(from_path)
    suffix, archive_type, compression = _detect_file_type(from_path)
    if not archive_type:
        target = os.path.join(to_path, os.path.basename(from_path).replace(suffix, ""))
        return path_or_str(_decompress(from_path, target, remove_finished=remove_finished))
    _ARCHIVE_EXTRACTORS[archive_type](from_path, to_path, compression)
    if remove_finished:
        os.remove(from_path)
    return path_or_str(pathlib.Path(to_path))


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    extract_archive(archive, extract_root, remove_finished)


def iterable_to_str(iterable):
    return "'" + "', '".join([str(item) for item in iterable]) + "'"


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    """`value` if it is a str among `valid_values`, else torchvision's ValueError."""
    if not isinstance(value, str):
        if arg is None:
            msg = f"Expected type str, but got type {type(value)}."
        else:
            msg = f"Expected type str for argument {arg}, but got type {type(value)}."
        raise ValueError(msg)
    if valid_values is None or value in valid_values:
        return value
    if custom_msg is not None:
        raise ValueError(custom_msg)
    raise ValueError(f"Unknown value '{value}' for argument {arg}. Valid values are "
                     f"{{{iterable_to_str(valid_values)}}}.")
