"""Chinese segmenters for search, measured (prints figures; not a test): load time, names per second, and
word F1 against a hand segmentation of product and collection names, without and with the domain dictionary.

rjieba (jieba-rs) is the project's; jieba and spacy-pkuseg are measured when installed beside it:

    .venv/bin/pip install jieba spacy-pkuseg   # in a scratch venv if you prefer
    .venv/bin/python bench/segmenters.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Hand segmentation: how a buyer reads these names (one word per thing they might search for).
GOLD = [
    "四神/铜镜/书签",
    "铜镜/纹/杯垫",
    "青花瓷/冰箱贴",
    "缠枝莲/丝巾",
    "青花/茶杯",
    "佛像/香薰",
    "巴渝舞俑/盲盒",
    "三峡/云纹/笔记本",
    "馆藏/印章/套装",
    "铜镜/纹/耳环",
    "华阳国志/笔记本",
    "古籍/书衣/帆布袋",
    "雕版/印刷/体验/套装",
    "藏书票/套装",
    "民国/报刊/明信片",
    "阅读灯",
    "书签/金属/套装",
    "古籍/复刻/线装书",
    "图书馆/印章/徽章",
    "书香/茶具",
    "红星/徽章",
    "红岩/诗稿/笔记本",
    "红岩村/拼图",
    "油灯/小夜灯",
    "红岩/印章/书签",
    "红岩/故事/绘本",
    "红色/帆布包",
    "纪念馆/搪瓷杯",
    "红岩/明信片",
    "红星/钥匙扣",
    "鎏金/铜/佛像",
    "青花/缠枝莲/纹/瓶",
    "汉代/四神/铜镜",
    "巴渝舞俑",
    "三峡/博物馆",
    "红岩/革命/纪念馆",
]


def f1(predicted: list[list[str]]) -> float:
    """Word F1 over all names (a word counts when its span is exactly the gold one)."""

    def spans(words: list[str]) -> set[tuple[int, int]]:
        out, at = set(), 0
        for w in words:
            out.add((at, at + len(w)))
            at += len(w)
        return out

    hit = got = want = 0
    for gold, words in zip(GOLD, predicted, strict=True):
        g, p = spans(gold.split("/")), spans(words)
        hit, got, want = hit + len(g & p), got + len(p), want + len(g)
    precision, recall = hit / got, hit / want
    return 2 * precision * recall / (precision + recall)


def main() -> None:
    from search.text import goods_words

    names = ["".join(g.split("/")) for g in GOLD]
    rng = random.Random(1)
    load = [rng.choice(names) + rng.choice(names) for _ in range(20_000)]
    candidates = {}
    try:
        import rjieba

        candidates["rjieba (jieba-rs)"] = lambda: rjieba.Jieba()
    except ImportError:
        pass
    try:
        import jieba

        def make_jieba():
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            return tokenizer

        candidates["jieba"] = make_jieba
    except ImportError:
        pass
    try:
        import spacy_pkuseg

        candidates["spacy-pkuseg"] = lambda: spacy_pkuseg.pkuseg()
    except ImportError:
        pass
    print(f"{'segmenter':<20} {'load s':>7} {'names/s':>9} {'F1':>6} {'F1 + dictionary':>16}")
    for name, make in candidates.items():
        started = time.perf_counter()
        try:
            segmenter = make()
        except Exception as exc:  # e.g. pkuseg downloading its model at first use
            print(f"{name:<20} cannot start here: {type(exc).__name__}: {str(exc)[:80]}")
            continue
        loaded = time.perf_counter() - started

        def cut(text, s=segmenter):
            return list(s.cut(text, True) if hasattr(s, "has_word") else s.cut(text))

        started = time.perf_counter()
        for text in load:
            cut(text)
        rate = len(load) / (time.perf_counter() - started)
        plain = f1([cut(n) for n in names])
        for word in [*goods_words(), "巴渝舞俑", "华阳国志", "红岩村"]:
            if hasattr(segmenter, "has_word"):
                segmenter.add_word(word, None, None)
            elif hasattr(segmenter, "add_word"):
                segmenter.add_word(word)
        with_dictionary = f1([cut(n) for n in names])
        print(f"{name:<20} {loaded:>7.2f} {rate:>9.0f} {plain:>6.3f} {with_dictionary:>16.3f}")


if __name__ == "__main__":
    main()
