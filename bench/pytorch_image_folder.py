# PyTorch side of the image-folder benchmark: one pass of torchvision's ImageFolder + DataLoader over a folder of
# class subfolders, images resized to HxW RGB float tensors, batch 32, shuffled, 2 worker processes (the issue's
# reference setup). Prints one JSON line: images, seconds, images/s. Run with Debian's /usr/bin/python3.
# Arguments: folder height width [workers=2] [batch=32]
import json
import sys
import time

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms


def main():
    folder, height, width = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 32
    torch.manual_seed(0)
    # Stretch to HxW (convkit's default, no crop) and convert to float, as imageDatasetFromDirectory serves them.
    transform = transforms.Compose([transforms.Resize((height, width)), transforms.PILToTensor(),
                                    transforms.ConvertImageDtype(torch.float32)])
    data = datasets.ImageFolder(folder, transform=transform)
    loader = DataLoader(data, batch_size=batch, shuffle=True, num_workers=workers)
    start = time.perf_counter()
    count = 0
    for x, y in loader:
        count += x.shape[0]
    seconds = time.perf_counter() - start
    print(json.dumps({"images": count, "seconds": seconds, "images_per_second": count / seconds}))


if __name__ == "__main__":
    main()
