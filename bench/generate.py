"""Make a corpus of perturbed reports for the benchmarks: other places, years and numbers, nothing cached.

Each template (the synthetic fixtures of ``tests/fixtures/`` and the bundled
report) is given a new jurisdiction and a run of years, so that the corpus
holds series (one jurisdiction, several years) as real corpora do; every
quantity is scaled a little, so no two reports share their text.

    python bench/generate.py OUT_FOLDER -n 10000 [--years 4] [--seed 7]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SYLLABLES = "安宝昌丹东丰富广和河华惠嘉江金锦康兰乐临龙鹿明南宁平清庆瑞山盛石顺泰天通万文西祥新兴阳永裕云长正中"
PLACE_SUFFIXES = ("县", "市", "区", "旗")
MIN_LENGTH = 2000  # characters: whole reports (real ones run to 3,000-15,000), not the short rule fixtures
_NUMBER = re.compile(r"(?<![0-9.:：\-—〔])([0-9]+)(\.[0-9]+)?(?![0-9:：\-—〕年])")


def templates() -> list[tuple[str, str]]:
    """(name, text) of every template report with a jurisdiction and a year in its title."""
    from kg.extraction.metadata import report_metadata
    from kg.resources import bundled_report

    found = sorted((ROOT / "tests" / "fixtures").rglob("*.txt")) + [bundled_report()]
    out = []
    for path in found:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            continue  # fixtures in other encodings
        meta = report_metadata(text)
        if len(text) >= MIN_LENGTH and meta.jurisdiction and meta.year:
            out.append((path.stem, text))
    return out


def perturb(text: str, rng: random.Random, place: str, year: int) -> str:
    """The template with its jurisdiction renamed, its years moved to ``year``, its quantities scaled."""
    from kg.extraction.metadata import report_metadata

    meta = report_metadata(text)
    old = meta.jurisdiction
    text = text.replace(old, place)
    stem = old[:-1]
    if len(stem) >= 2:  # 某县 also written 某 alone
        text = text.replace(stem, place[:-1])
    shift = year - meta.year
    if shift:
        text = re.sub(r"(?<![0-9])(19[5-9][0-9]|20[0-9]{2})(?![0-9])", lambda m: str(int(m.group(1)) + shift), text)

    def scale(match: re.Match) -> str:
        whole, fraction = match.group(1), match.group(2) or ""
        if len(whole) == 4 and whole.startswith(("19", "20")) and not fraction:
            return match.group(0)  # a year
        value = float(whole + fraction) * rng.uniform(0.7, 1.3)
        if fraction:
            return f"{value:.{len(fraction) - 1}f}"
        return str(max(1, round(value)))

    return _NUMBER.sub(scale, text)


def place_names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(rng.sample(SYLLABLES, 2)) + rng.choice(PLACE_SUFFIXES))
    return sorted(names)


def make_corpus(folder: Path, count: int, *, years: int = 4, first_year: int = 2020, seed: int = 7) -> list[Path]:
    """Write ``count`` reports into ``folder``: ``count / years`` jurisdictions, each over ``years`` years."""
    rng = random.Random(seed)
    sources = templates()
    places = place_names(-(-count // years), rng)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        place, offset = places[index // years], index % years
        name, text = sources[(index // years) % len(sources)]
        path = folder / f"p{index // years:05d}-{first_year + offset}-{name}.txt"
        path.write_text(perturb(text, rng, place, first_year + offset), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("-n", "--reports", type=int, default=1000)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    paths = make_corpus(args.folder, args.reports, years=args.years, seed=args.seed)
    print(f"{len(paths)} reports in {args.folder}")


if __name__ == "__main__":
    main()
