# Writes the archives test/utils/get-file.test.ts downloads, with Python's tarfile and zipfile as the independent
# writer, and prints a JSON listing of what each safe archive holds ({path: text | {"link": target}}), which the
# test compares with what getFile extracted. Usage: python3 make_archives.py <out-folder>
import gzip
import io
import json
import os
import sys
import tarfile
import zipfile

out = sys.argv[1]
LONG = "deep/" + "x" * 120 + ".txt"  # longer than ustar's 100-byte name: Python writes a pax header
files = {
    "photos/cats/a.txt": "cat a",
    "photos/dogs/b.txt": "dog b\n" * 300,  # spans several 512-byte blocks
    "photos/run.sh": "#!/bin/sh\necho hi\n",
    LONG: "long name",
    "empty.txt": "",
}


def add_file(tar, name, text, mode=0o644):
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    tar.addfile(info, io.BytesIO(data))


def add_link(tar, name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    tar.addfile(info)


def add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    tar.addfile(info)


def safe_tar(path, mode):
    with tarfile.open(path, mode) as tar:
        add_dir(tar, "photos")
        for name, text in files.items():
            add_file(tar, name, text, 0o755 if name.endswith(".sh") else 0o644)
        add_link(tar, "photos/latest.txt", "cats/a.txt")
        add_link(tar, "photos/copy.txt", "photos/cats/a.txt", tarfile.LNKTYPE)


safe_tar(os.path.join(out, "photos.tar.gz"), "w:gz")
safe_tar(os.path.join(out, "photos.tar"), "w")
safe_tar(os.path.join(out, "photos.tar.bz2"), "w:bz2")

with zipfile.ZipFile(os.path.join(out, "photos.zip"), "w") as z:
    z.writestr(zipfile.ZipInfo("photos/"), "")
    for i, (name, text) in enumerate(files.items()):
        z.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED if i % 2 else zipfile.ZIP_STORED)

expected = {name: text for name, text in files.items()}
expected["photos/latest.txt"] = {"link": "cats/a.txt"}
expected["photos/copy.txt"] = files["photos/cats/a.txt"]
zip_expected = dict(files)


def unsafe_tar(name, build):
    with tarfile.open(os.path.join(out, name), "w:gz") as tar:
        add_file(tar, "fine.txt", "fine")
        build(tar)


unsafe_tar("dotdot.tar.gz", lambda t: add_file(t, "../evil.txt", "escaped"))
unsafe_tar("absolute.tar.gz", lambda t: add_file(t, os.path.join(out, "evil.txt"), "escaped"))
unsafe_tar("link-out.tar.gz", lambda t: add_link(t, "out", "../../"))
unsafe_tar("link-abs.tar.gz", lambda t: add_link(t, "out", "/etc"))
# Each link alone stays inside by its name; together 'up' leads to the parent: only a check on disk catches it.
unsafe_tar("link-chain.tar.gz", lambda t: (add_link(t, "here", "."), add_link(t, "up", "here/..")))
unsafe_tar("fifo.tar.gz", lambda t: add_link(t, "pipe", "", tarfile.FIFOTYPE))
with zipfile.ZipFile(os.path.join(out, "dotdot.zip"), "w") as z:
    z.writestr("fine.txt", "fine")
    z.writestr("../evil.txt", "escaped")

# A tar.gz cut in the middle of an entry's data.
with open(os.path.join(out, "photos.tar"), "rb") as f:
    plain = f.read()
with open(os.path.join(out, "cut.tar.gz"), "wb") as f:
    f.write(gzip.compress(plain[: 512 * 4 + 100]))

print(json.dumps({"tar": expected, "zip": zip_expected}))
