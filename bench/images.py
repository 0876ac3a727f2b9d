"""Benchmark of the image pipeline: time and peak memory per case, each run in a fresh process.

    .venv/bin/python bench/images.py [--runs 5]

Pillow allocates pixel buffers in C, outside tracemalloc, so the memory figure that counts is the
process's peak RSS (ru_maxrss) minus its RSS just before the case started; tracemalloc's peak is
printed beside it to show how little of the memory is Python objects.
Targets (issue 4, on 2 cores): 24 MP photo <= 1.5 s and <= 400 MB; decompression bomb refused <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PHOTO_TARGET_SECONDS, PHOTO_TARGET_MB, BOMB_TARGET_MS = 1.5, 400, 100
MAKE_EXTREMES = """
import sys
from pathlib import Path
from tests.catalog import image_factories as make
picture = make.quadrants(8000, 6250, noise=0)  # flat, or the PNGs would exceed 40 MB
Path(sys.argv[1]).write_bytes(make.encoded(picture, "PNG", compress_level=1))
Path(sys.argv[2]).write_bytes(make.encoded(picture.convert("RGBA"), "PNG", compress_level=1))
Path(sys.argv[3]).write_bytes(make.encoded(picture, "WEBP", quality=80))
"""
MAKE_INPUTS = """
import sys
from pathlib import Path
from tests.catalog import image_factories as make
Path(sys.argv[1]).write_bytes(make.photo_like_jpeg(6000, 4000, quality=95))
Path(sys.argv[2]).write_bytes(make.png_bomb(10_000, 10_000))
"""


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 1024 / 1024


def _reset_peak_rss() -> bool:
    """Start a fresh high-water mark (Linux): ru_maxrss would include the parent's peak from before exec."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _warm_up(images) -> None:
    """Load Pillow's plugins, decoders and the WebP encoder once, as a running worker already has."""
    import io

    from PIL import Image

    small = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 80, 40)).save(small, "JPEG")
    images.process(small, filename="warm.jpg", content_type=None, size=small.tell())


def run_case(case: str, path: str, *, warm: bool) -> dict:
    """One measurement, in this (fresh) process; printed as JSON for the parent."""
    from django.conf import settings

    settings.configure(USE_I18N=False)
    from catalog import images

    if warm:
        _warm_up(images)
    filename = Path(path).name
    size = os.path.getsize(path)
    peak_reset = _reset_peak_rss()
    baseline_rss = _rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    cpu_started = time.process_time()
    with open(path, "rb") as original:
        try:
            result = images.process(original, filename=filename, content_type=None, size=size)
            outcome = f"{result.width}x{result.height} -> " + ", ".join(
                f"{d.width}x{d.height} ({len(d.data) // 1024} kB)" for d in result.derivatives
            )
        except images.ImageRefused as refusal:
            outcome = f"refused {refusal.code}: {refusal.message}"
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    peak_rss = _peak_rss_mb()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_reset": peak_reset,
        "rss_before_mb": baseline_rss,
        "peak_rss_mb": peak_rss,
        "peak_delta_mb": peak_rss - baseline_rss,
        "tracemalloc_peak_mb": traced_peak / 1024 / 1024,
        "outcome": outcome,
    }


def measure(case: str, path: Path, runs: int, *, warm: bool) -> list[dict]:
    results = []
    for _ in range(runs):
        completed = subprocess.run(
            [sys.executable, __file__, "--case", case, "--file", str(path), *(["--warm"] if warm else [])],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        results.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    return results


def report(title: str, results: list[dict]) -> None:
    times = [r["seconds"] for r in results]
    cpu = [r["cpu_seconds"] for r in results]
    deltas = [r["peak_delta_mb"] for r in results]
    print(f"\n{title}")
    print(f"  {results[0]['outcome']}")
    print(
        f"  wall time: median {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
        f"(runs: {', '.join(f'{t * 1000:.0f}' for t in times)} ms)"
    )
    print(f"  CPU time: median {statistics.median(cpu) * 1000:.0f} ms, max {max(cpu) * 1000:.0f} ms")
    print(
        f"  peak RSS: max {max(r['peak_rss_mb'] for r in results):.0f} MB for the process, "
        f"max {max(deltas):.0f} MB above its {results[0]['rss_before_mb']:.0f} MB before the case; "
        f"tracemalloc peak {max(r['tracemalloc_peak_mb'] for r in results):.1f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--extremes", action="store_true", help="also 50 MP PNG (RGB, RGBA) and WebP, one warm run each"
    )
    parser.add_argument("--case", choices=["photo", "bomb"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--warm", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.file, warm=args.warm)))
        return

    print(
        f"cpus: {os.cpu_count()} (affinity {len(os.sched_getaffinity(0))}), python {sys.version.split()[0]}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        photo, bomb = Path(tmp, "photo.jpg"), Path(tmp, "bomb.png")
        # Made in a child process, so this parent stays small.
        subprocess.run([sys.executable, "-c", MAKE_INPUTS, str(photo), str(bomb)], cwd=REPO, check=True)
        print(
            "inputs: 24 MP textured JPEG 6000x4000 q95, EXIF orientation 6, GPS, XMP, "
            f"{photo.stat().st_size / 1e6:.1f} MB; "
            f"10000x10000 PNG bomb, {bomb.stat().st_size / 1e3:.0f} kB"
        )
        cold_results = measure("photo", photo, args.runs, warm=False)
        photo_results = measure("photo", photo, args.runs, warm=True)
        cold_bomb_results = measure("bomb", bomb, args.runs, warm=False)
        extremes = []
        if args.extremes:
            paths = [Path(tmp, name) for name in ("rgb-50mp.png", "rgba-50mp.png", "rgb-50mp.webp")]
            subprocess.run([sys.executable, "-c", MAKE_EXTREMES, *map(str, paths)], cwd=REPO, check=True)
            extremes = [
                (f"at the limit (no target): 8000x6250 {p.name}, {p.stat().st_size / 1e6:.1f} MB, warm", r)
                for p, r in ((p, measure("photo", p, 1, warm=True)) for p in paths)
            ]
        bomb_results = measure("bomb", bomb, args.runs, warm=True)
    report("24 MP JPEG -> 4 WebP derivatives, first image of a fresh process (cold)", cold_results)
    report("24 MP JPEG -> 4 WebP derivatives, worker already warm", photo_results)
    report("decompression bomb (10000x10000 PNG), fresh process (cold)", cold_bomb_results)
    report("decompression bomb (10000x10000 PNG), worker warm", bomb_results)
    for title, results in extremes:
        report(title, results)
    photo_time = max(r["seconds"] for r in cold_results + photo_results)
    photo_mb = max(r["peak_delta_mb"] for r in cold_results + photo_results)
    bomb_ms = max(r["seconds"] for r in cold_bomb_results + bomb_results) * 1000
    print(
        f"\nload average now: {', '.join(f'{v:.2f}' for v in os.getloadavg())} (other work shares the CPUs)"
    )
    print("targets (worst run, cold or warm, wall time):")
    print(
        f"  photo time {photo_time:.2f} s <= {PHOTO_TARGET_SECONDS} s: {photo_time <= PHOTO_TARGET_SECONDS}"
    )
    print(f"  photo memory {photo_mb:.0f} MB <= {PHOTO_TARGET_MB} MB: {photo_mb <= PHOTO_TARGET_MB}")
    print(f"  bomb refused in {bomb_ms:.1f} ms <= {BOMB_TARGET_MS} ms: {bomb_ms <= BOMB_TARGET_MS}")


if __name__ == "__main__":
    main()
