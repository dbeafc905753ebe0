"""Golden SSIM/PSNR values for ImageQualityTest, from an independent NumPy/SciPy implementation.

Recipe of scikit-image's structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False): full-image Gaussian filtering with scipy.ndimage (truncate 3.5
gives the 11-tap window), then the border of (11 - 1) / 2 = 5 pixels cropped before the mean.
Images are defined by formula (same formula in the Java test) so no pixels need storing.

Run: python3 ssim_reference.py > ssim_golden.json
"""
import json
import numpy as np
from scipy.ndimage import gaussian_filter


def images(c, h, w, scale):
    i, j = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing="ij")
    a = np.empty((c, h, w), np.float32)
    b = np.empty((c, h, w), np.float32)
    for k in range(c):
        a[k] = (scale * (0.5 + 0.4 * np.sin(0.31 * i + 0.17 * (k + 1) * j + k))).astype(np.float32)
        b[k] = (scale * (0.5 + 0.4 * np.sin(0.31 * i + 0.17 * (k + 1) * j + k)
                         + 0.15 * np.cos(0.7 * i * j + 1.3 * k))).astype(np.float32)
    return a, b


def ssim(a, b, data_range):
    k1, k2, sigma, pad = 0.01, 0.03, 1.5, 5
    c1, c2 = (k1 * data_range) ** 2, (k2 * data_range) ** 2
    out = []
    for x, y in zip(a.astype(np.float64), b.astype(np.float64)):
        f = lambda z: gaussian_filter(z, sigma, truncate=3.5, mode="reflect")
        ux, uy = f(x), f(y)
        vx, vy, vxy = f(x * x) - ux * ux, f(y * y) - uy * uy, f(x * y) - ux * uy
        s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))
        out.append(s[pad:-pad, pad:-pad].mean())
    return float(np.mean(out))


def psnr(a, b, data_range):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(data_range ** 2 / mse))


cases = []
for name, c, h, w, r in [("rgb-24x20-range1", 3, 24, 20, 1.0), ("gray-16x31-range255", 1, 16, 31, 255.0)]:
    a, b = images(c, h, w, r)
    cases.append({"name": name, "channels": c, "height": h, "width": w, "dataRange": r,
                  "ssim": ssim(a, b, r), "psnr": psnr(a, b, r)})
print(json.dumps({"source": "ssim_reference.py (NumPy " + np.__version__ + ", SciPy gaussian_filter)",
                  "cases": cases}, indent=2))
