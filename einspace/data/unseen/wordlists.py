"""Word lists for the Language dataset: from files, or dumped from Debian's spell dictionaries.

aspell: `aspell -d LANG dump master | aspell -l LANG expand` lists every word form of the
master dictionary (packages aspell-en, -nl, -de, -es, -fr, -pt-pt, -sv). hunspell-sw ships
/usr/share/hunspell/sw_TZ.dic, whose lines are `stem/FLAGS`; its stems are used. Debian has no
Finnish or Zulu list; those must be supplied as files (one word per line).
"""

from __future__ import annotations

import os
import shutil
import subprocess

ASPELL = {"en": "en", "nl": "nl", "de": "de", "es": "es", "fr": "fr", "pt_PT": "pt_PT", "sv": "sv"}
HUNSPELL = {"sw": "/usr/share/hunspell/sw_TZ.dic"}


def read_wordlist(path: str) -> list[str]:
    """Whitespace-separated words of a UTF-8 text file (hunspell `/FLAGS` suffixes dropped)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        return [token.split("/")[0] for token in f.read().split()]


def dump_aspell(lang: str, timeout: float = 300.0) -> list[str]:
    """All word forms of aspell's `lang` master dictionary (needs aspell-<lang> installed)."""
    if shutil.which("aspell") is None:
        raise FileNotFoundError("aspell is not installed (Debian: apt-get install aspell aspell-en ...)")
    dump = subprocess.run(
        ["aspell", "-d", lang, "--encoding=utf-8", "dump", "master"],
        capture_output=True, timeout=timeout, check=True,
    )
    expanded = subprocess.run(
        ["aspell", "-l", lang, "--encoding=utf-8", "expand"],
        input=dump.stdout, capture_output=True, timeout=timeout, check=True,
    )
    return expanded.stdout.decode("utf-8", errors="replace").split()


def system_wordlist(lang: str) -> list[str] | None:
    """The Debian dictionary for `lang`, or None when it is not installed / not packaged."""
    if lang in HUNSPELL:
        path = HUNSPELL[lang]
        return read_wordlist(path)[1:] if os.path.isfile(path) else None  # line 1 is a count
    if lang in ASPELL:
        try:
            words = dump_aspell(ASPELL[lang])
        except (FileNotFoundError, subprocess.CalledProcessError):
            return None
        return words or None
    return None


def gather_wordlists(
    languages: tuple[str, ...], directory: str | None, use_system: bool = True
) -> dict[str, list[str]]:
    """Word lists for `languages`: `directory/<lang>.txt` when present, else (use_system) the
    system dictionary. Languages with neither are left out (the caller labels the variant)."""
    found = {}
    for lang in languages:
        path = None if directory is None else os.path.join(directory, f"{lang}.txt")
        if path is not None and os.path.isfile(path):
            found[lang] = read_wordlist(path)
            continue
        words = system_wordlist(lang) if use_system else None
        if words is not None:
            found[lang] = words
    return found


def export_wordlists(languages: tuple[str, ...], directory: str) -> dict[str, int]:
    """Write `<lang>.txt` for each language the system has; returns word counts per file."""
    os.makedirs(directory, exist_ok=True)
    counts = {}
    for lang, words in gather_wordlists(languages, None).items():
        with open(os.path.join(directory, f"{lang}.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(words) + "\n")
        counts[lang] = len(words)
    return counts
