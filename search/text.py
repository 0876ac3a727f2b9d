"""Text into search tokens, the same way for the indexed document and for the query.

Chinese runs become their substrings of up to four characters (so any part of a name matches whatever
the segmenter made of it), and, for the fields that carry it, pinyin: syllables, the pinyin and initials of
every bigram, of every word the segmenter (jieba-rs with the domain dictionary) finds, and of the whole
run. ASCII
runs are kept as words (letters and digits apart too). English stems are PostgreSQL's (`english` config):
the document gets them from `to_tsvector('english', ...)`, the query from `ts_lexize('english_stem', ...)`.

Everything is the built-in `simple` text search over pre-made lexemes: no contrib module, so the embedded
PostgreSQL serves it as well as a managed one.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import rjieba
from pypinyin import Style, lazy_pinyin

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
RUNS = re.compile(f"[{_HAN}]+|[a-z0-9]+")
HAN_RUN = re.compile(f"^[{_HAN}]+$")
ASCII_PARTS = re.compile(r"[a-z]+|[0-9]+")
MAX_POSITION = 16383  # PostgreSQL's largest tsvector position
MAX_LEXEME_POSITIONS = 256  # and the most positions it keeps per lexeme
FIELD_GAP = 8  # positions between fields and runs, so no phrase spans two of them
NAME_PINYIN_SPANS = 6  # a name's runs of up to this many characters have their pinyin as one lexeme
CJK_GRAMS = 4  # Chinese runs are indexed as every 1- to 4-character substring (descriptions from 2)
GOODS_WORDS = Path(__file__).with_name("goods_words.txt")

# Every pinyin syllable (ü written v), for splitting a query such as "tongjingbeidian" into syllables.
_SYLLABLE_TEXT = (
    "a ai an ang ao ba bai ban bang bao bei ben beng bi bian biang biao bie bin bing bo bong bu ca cai "
    "can cang cao ce cei cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai "
    "chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di "
    "dia dian diao die din ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng "
    "fiao fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha "
    "hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao "
    "jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan "
    "kuang kui kun kuo la lai lan lang lao le lei len leng li lia lian liang liao lie lin ling liu lo "
    "long lou lu luan lun luo lv lve ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo "
    "mou mu na nai nan nang nao ne nei nen neng ni nia nian niang niao nie nin ning niu nong nou nu nuan "
    "nun nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia qian "
    "qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua ruan "
    "rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi shou "
    "shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao te "
    "tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wong wu "
    "xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong "
    "you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen zheng "
    "zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo "
)
SYLLABLES = frozenset(_SYLLABLE_TEXT.split())
_LONGEST_SYLLABLE = max(len(s) for s in SYLLABLES)


def normalize(text: str) -> str:
    """Full-width forms folded (full-width SX-D to sx-d), lower case, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def is_han(text: str) -> bool:
    return bool(HAN_RUN.match(text))


def goods_words() -> list[str]:
    lines = GOODS_WORDS.read_text(encoding="utf-8").splitlines()
    return [w.strip() for w in lines if w.strip() and not w.lstrip().startswith("#")]


class Segmenter:
    """jieba-rs (rjieba) with the domain dictionary; one per process, used under a lock."""

    def __init__(self) -> None:
        self._jieba = rjieba.Jieba()
        self._lock = threading.Lock()
        self.add_words(goods_words())

    def add_words(self, words: Iterable[str]) -> int:
        """Teach it words (only Chinese ones of 2+ characters it does not know); how many were new."""
        added = 0
        with self._lock:
            for word in words:
                word = normalize(word)
                if len(word) >= 2 and is_han(word) and not self._jieba.has_word(word):
                    self._jieba.add_word(word, None, None)
                    added += 1
        return added

    def words(self, run: str) -> list[tuple[str, int, int]]:
        """(word, start, end) of a Chinese run, finer words inside longer ones included (search mode)."""
        with self._lock:
            return self._jieba.tokenize(run, "search", True)

    def cut(self, run: str) -> list[str]:
        with self._lock:
            return self._jieba.cut(run, True)


_segmenter: Segmenter | None = None
_segmenter_lock = threading.Lock()


def segmenter() -> Segmenter:
    global _segmenter
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                _segmenter = Segmenter()
    return _segmenter


@lru_cache(maxsize=20_000)
def syllables_of(run: str) -> tuple[str, ...]:
    """The pinyin of each character of a Chinese run, read in context (重庆 → chong qing)."""
    return tuple(lazy_pinyin(run, style=Style.NORMAL, v_to_u=False, errors=lambda chars: ["?"] * len(chars)))


def pinyin_split(word: str) -> list[str] | None:
    """A string of pinyin without spaces as syllables (tongjingbeidian → tong jing bei dian), else None."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[n] = []
    for i in range(n - 1, -1, -1):
        for j in range(min(n, i + _LONGEST_SYLLABLE), i, -1):  # longest syllable first
            rest = best[j]
            if rest is not None and word[i:j] in SYLLABLES:
                best[i] = [word[i:j], *rest]
                break
    return best[0]


# --- the document --------------------------------------------------------------------------------


@dataclass
class Document:
    """Lexemes with positions and weights, written as a tsvector literal; English texts kept apart."""

    lexemes: dict[str, list[str]] = field(default_factory=dict)
    english: dict[str, list[str]] = field(default_factory=lambda: {"A": [], "B": [], "C": []})
    terms: set[str] = field(default_factory=set)  # words people may type: for suggestions
    position: int = 1

    def _put(self, lexeme: str, position: int, weight: str) -> None:
        places = self.lexemes.setdefault(lexeme, [])
        if len(places) < MAX_LEXEME_POSITIONS:
            places.append(f"{min(position, MAX_POSITION)}{weight}")

    def add(
        self,
        text: str,
        weight: str,
        *,
        pinyin: bool = False,
        term: bool = False,
        spans: int = 2,
        unigrams: bool = True,
    ) -> None:
        """A Chinese (or mixed) text: bigrams, unigrams, ASCII words; pinyin when asked, of every run of up
        to `spans` characters (a name's 4 or more: tjsq finds 四神铜镜书签), of each word and of the whole."""
        for match in RUNS.finditer(normalize(text)):
            run = match.group(0)
            if is_han(run):
                self._han(run, weight, pinyin=pinyin, term=term, spans=spans, unigrams=unigrams)
            else:
                self._ascii(run, weight)
            self.position += len(run) + FIELD_GAP

    def add_english(self, text: str, weight: str, *, term: bool = False) -> None:
        if text.strip():
            self.english[weight].append(text.strip())
            if term:
                self.terms.update(w for w in RUNS.findall(normalize(text)) if len(w) >= 3 and w.isalpha())

    def add_token(self, token: str, weight: str) -> None:
        """A lexeme as it is (e.g. the unit's scope token, an accession number)."""
        self._put(token, self.position, weight)
        self.position += 1 + FIELD_GAP

    def _ascii(self, run: str, weight: str) -> None:
        self._put(run, self.position, weight)
        parts = ASCII_PARTS.findall(run)
        if len(parts) > 1:
            for part in parts:
                self._put(part, self.position, weight)

    def _han(self, run: str, weight: str, *, pinyin: bool, term: bool, spans: int, unigrams: bool) -> None:
        p = self.position
        for i in range(len(run)):
            for n in range(1 if unigrams or len(run) == 1 else 2, CJK_GRAMS + 1):
                if i + n <= len(run):
                    self._put(run[i : i + n], p + i, weight)
        words = [(w, s, e) for w, s, e in segmenter().words(run) if e - s >= 2]
        if term:
            self.terms.update(w for w, _s, _e in words)
            if 2 <= len(run) <= 12:
                self.terms.add(run)
        if not pinyin:
            return
        syllables = syllables_of(run)
        for i, syllable in enumerate(syllables):
            self._put(syllable, p + i, weight)
        parts = {(i, i + n) for n in range(2, spans + 1) for i in range(len(run) - n + 1)}
        parts |= {(s, e) for _w, s, e in words}
        if len(run) >= 2:
            parts.add((0, len(run)))
        for start, end in parts:
            part = syllables[start:end]
            self._put("".join(part), p + start, weight)
            self._put("".join(s[0] for s in part), p + start, weight)

    def tsvector(self) -> str:
        return " ".join(f"{_quote(lexeme)}:{','.join(places)}" for lexeme, places in self.lexemes.items())


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# --- the query -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """Groups of equivalent terms: platform-wide (unit None) or of one unit (its products only)."""

    groups: tuple[tuple[int | None, tuple[str, ...]], ...] = ()

    def by_term(self) -> dict[str, list[tuple[int | None, tuple[str, ...]]]]:
        """{a term, or a Chinese term's pinyin (fanbudai for 帆布袋): the groups it is in}."""
        index: dict[str, list[tuple[int | None, tuple[str, ...]]]] = {}
        for unit_id, terms in self.groups:
            for term in terms:
                keys = [term, "".join(syllables_of(term))] if is_han(term) else [term]
                for key in keys:
                    index.setdefault(key, []).append((unit_id, terms))
        return index


def unit_token(unit_id: int) -> str:
    """The lexeme every document of a unit carries: unit-scoped synonyms match only with it."""
    return f"u:{unit_id}"


@dataclass
class Query:
    """A parsed query: its pieces (words and synonym matches) before English stems are known."""

    pieces: list[tuple[str, str, list[tuple[int | None, str]]]]  # (kind, text, expansions)
    prefix_last: bool = False

    def ascii_words(self) -> list[str]:
        words = []
        for _kind, text, expansions in self.pieces:
            for t in [text, *(t for _u, t in expansions)]:
                words += [w for w in RUNS.findall(t) if not is_han(w)]
        return sorted(set(words))

    def words(self) -> list[str]:
        """The words of the query as typed (for messages and nearest-term suggestions)."""
        return [text for _kind, text, _e in self.pieces]

    def tsquery(self, stems: Mapping[str, Sequence[str]]) -> str:
        """The tsquery text: AND over the pieces of (OR over each piece's spellings)."""
        groups = []
        last = len(self.pieces) - 1
        meaningful = [p for p in self.pieces if not (p[0] == "ascii" and _stopword(p[1], stems))]
        for index, (kind, text, expansions) in enumerate(self.pieces):
            prefix = self.prefix_last and index == last and kind == "ascii"
            if meaningful and kind == "ascii" and _stopword(text, stems) and not prefix:
                continue  # "of" in "Chronicles of Huayang": documents have no lexeme for it
            alternatives = [_text_query(text, stems, prefix=prefix)]
            for unit_id, other in expansions:
                compiled = _text_query(other, stems)
                if compiled and unit_id is not None:
                    compiled = f"({compiled} & {_quote(unit_token(unit_id))})"
                alternatives.append(compiled)
            alternatives = [a for a in dict.fromkeys(alternatives) if a]
            if alternatives:
                groups.append(
                    alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"
                )
        return " & ".join(groups)


def _han_query(run: str) -> str:
    """A Chinese word as lexemes: itself up to CJK_GRAMS characters, else its overlapping n-grams ANDed.

    No phrase operator: GIN cannot check positions, so a phrase would make PostgreSQL read every candidate
    document from the table again; n-grams the index answers alone.
    """
    if len(run) <= CJK_GRAMS:
        return _quote(run)
    return "(" + " & ".join(_quote(run[i : i + CJK_GRAMS]) for i in range(len(run) - CJK_GRAMS + 1)) + ")"


def _ascii_query(word: str, stems: Mapping[str, Sequence[str]], *, prefix: bool = False) -> str:
    if prefix:
        return f"{_quote(word)}:*"
    alternatives = [_quote(word)]
    alternatives += [_quote(s) for s in stems.get(word, ()) if s != word]
    # Names carry the pinyin of every run of up to 6 characters as one lexeme; longer runs typed as pinyin
    # (and any in other fields) are found as a phrase of syllables.
    syllables = pinyin_split(word) if word.isalpha() and len(word) > 4 else None
    if syllables and len(syllables) > NAME_PINYIN_SPANS:
        alternatives.append("(" + " <-> ".join(_quote(s) for s in syllables) + ")")
    parts = ASCII_PARTS.findall(word)
    if len(parts) > 1:
        alternatives.append("(" + " & ".join(_quote(p) for p in parts) + ")")
    return alternatives[0] if len(alternatives) == 1 else "(" + " | ".join(alternatives) + ")"


def _text_query(text: str, stems: Mapping[str, Sequence[str]], *, prefix: bool = False) -> str:
    """One term (a word, or a synonym of several words) as a tsquery: all its parts must match."""
    parts = []
    runs = RUNS.findall(normalize(text))
    for i, run in enumerate(runs):
        if is_han(run):
            parts.append(_han_query(run))
        elif not _stopword(run, stems) or len(runs) == 1:
            parts.append(_ascii_query(run, stems, prefix=prefix and i == len(runs) - 1))
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def _stopword(word: str, stems: Mapping[str, Sequence[str]]) -> bool:
    """An English stop word ("of", "the"): PostgreSQL's stemmer gives it no lexeme, documents lack it."""
    return word in stems and not stems[word] and not word.isdigit()


def query_parse(text: str, synonyms: Synonyms, *, prefix_last: bool = False) -> Query:
    """Split a query into pieces: synonym terms found in it (longest first), then the segmented rest."""
    normalized = normalize(text)
    index = synonyms.by_term()
    found: list[tuple[int, int, str]] = []
    taken = [False] * len(normalized)
    for term in sorted(index, key=len, reverse=True):
        start = normalized.find(term)
        while start != -1:
            end = start + len(term)
            if not any(taken[start:end]) and _on_boundary(normalized, start, end):
                found.append((start, end, term))
                for i in range(start, end):
                    taken[i] = True
            start = normalized.find(term, end)
    pieces: list[tuple[int, tuple[str, str, list[tuple[int | None, str]]]]] = []
    for start, _end, term in found:
        expansions = [(u, other) for u, terms in index[term] for other in terms if other != term]
        pieces.append((start, ("synonym", term, expansions)))
    rest = "".join(" " if taken[i] else c for i, c in enumerate(normalized))
    for match in RUNS.finditer(rest):
        run = match.group(0)
        if is_han(run):
            offset = 0
            for word in segmenter().cut(run):
                pieces.append((match.start() + offset, ("han", word, [])))
                offset += len(word)
        else:
            pieces.append((match.start(), ("ascii", run, [])))
    return Query([piece for _start, piece in sorted(pieces, key=lambda p: p[0])], prefix_last=prefix_last)


def _on_boundary(text: str, start: int, end: int) -> bool:
    """An ASCII synonym must be a whole word ('tea' not in 'team'); 冰箱贴 may sit inside a Chinese run."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    ascii_edges = (text[start].isascii() and before.isascii() and before.isalnum()) or (
        text[end - 1].isascii() and after.isascii() and after.isalnum()
    )
    return not ascii_edges


StemLookup = Callable[[Sequence[str]], Mapping[str, Sequence[str]]]


def tsquery_text(text: str, synonyms: Synonyms, stems: StemLookup, *, prefix_last: bool = False) -> str:
    """The tsquery of what a buyer typed ("" when nothing searchable is in it)."""
    query = query_parse(text, synonyms, prefix_last=prefix_last)
    return query.tsquery(stems(query.ascii_words()))
