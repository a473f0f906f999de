#!/usr/bin/env python3
"""The Vim syntax file (editors/vim/) over the same files as the TextMate
test, against the compiler's lexer: Vim itself (headless, with
editors/vim on its runtimepath, so the ftdetect file is tested too) reports
the syntax group of every character, and each token the lexer finds must
be in the group of its kind; no token may be in a comment and every other
non-blank character must be. Skipped (77) when there is no vim.
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import lexer_tokens  # noqa: E402

# For every file named in FILES, one line per source line: the syntax group
# of each byte, comma-separated. Syntax is synced from the start of the file
# so nested block comments are seen whole.
DUMP = r'''
set rtp^=EDITORS
filetype on
syntax on
for f in readfile('FILES')
  execute 'edit ' . fnameescape(f)
  if &filetype !=# 'atoll'
    call writefile(['filetype ' . &filetype], f . '.syn')
    continue
  endif
  syntax sync fromstart
  let out = []
  for l in range(1, line('$'))
    let row = []
    for c in range(1, col([l, '$']) - 1)
      call add(row, synIDattr(synID(l, c, 1), 'name'))
    endfor
    call add(out, join(row, ','))
  endfor
  call writefile(out, f . '.syn')
endfor
qa!
'''


def expected_groups(kind: str, word: str) -> set[str] | None:
    if kind in ("if", "then", "else", "case", "of"):
        return {"atollConditional"}
    if kind in ("let", "in", "do", "where"):
        return {"atollKeyword"}
    if kind in lexer_tokens.KEYWORDS:
        return {"atollStructure"}
    if kind == "LowerId":
        if word in ("runST", "runIO", "forkIO", "parST"):
            return {"atollRegionForm"}
        return {"atollName", "atollSignature"}
    return {"StringLit": {"atollString", "atollEscape"}, "CharLit": {"atollChar"}, "IntLit": {"atollNumber"},
            "FloatLit": {"atollFloat"}, "UpperId": {"atollType", "atollBuiltinType", "atollBoolean"},
            "Underscore": {"atollName"}}.get(
        kind, {"atollDelimiter"} if kind in lexer_tokens.PUNCTUATION else {"atollOperator"})


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--repo", required=True)
    args = ap.parse_args()
    vim = shutil.which("vim")
    if vim is None:
        print("no vim: skipped")
        return 77
    repo = Path(args.repo).resolve()
    problems, seen = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        # Copies, so the .syn files are written outside the repository.
        sample = Path(tmp) / "sample.atl"
        sample.write_text(lexer_tokens.SAMPLE)
        files = []
        for i, path in enumerate([sample] + lexer_tokens.corpus(repo)):
            tokens = lexer_tokens.tokens_of(args.atoll, path)
            if tokens is None:
                continue
            copy = Path(tmp) / f"{i}_{path.name}"
            if copy != sample:
                copy.write_bytes(path.read_bytes())
            files.append((path, copy, tokens))
        (Path(tmp) / "files").write_text("\n".join(str(c) for _, c, _ in files) + "\n")
        script = Path(tmp) / "dump.vim"
        script.write_text(DUMP.replace("EDITORS", str(repo / "editors/vim"))
                          .replace("FILES", str(Path(tmp) / "files")))
        r = subprocess.run([vim, "-u", "NONE", "-i", "NONE", "-N", "-es", "-S", str(script)],
                           capture_output=True, text=True, timeout=240)
        for path, copy, tokens in files:
            syn = Path(str(copy) + ".syn")
            if not syn.exists():
                problems.append(f"{path}: vim wrote no syntax dump ({r.stderr.strip()[:200]})")
                continue
            rows = syn.read_text().split("\n")
            if rows[0].startswith("filetype "):
                problems.append(f"{path}: vim set {rows[0]!r}, not atoll (ftdetect)")
                continue
            text = path.read_text(encoding="utf-8")
            # The group of each character (of its first byte).
            groups = []
            for line_text, row in zip(text.split("\n"), rows):
                cells = row.split(",") if row else []
                b = 0
                for ch in line_text:
                    groups.append(cells[b] if b < len(cells) else "")
                    b += len(ch.encode("utf-8"))
                groups.append("")  # the newline
            in_token = [False] * len(text)
            for t in tokens:
                word = text[t.begin:t.end]
                for i in range(t.begin, t.end):
                    in_token[i] = True
                want = expected_groups(t.kind, word)
                have = {groups[i] for i in range(t.begin, t.end)}
                if not have <= want:
                    problems.append(f"{path}:{t.line}: `{word}` ({t.kind}) is in {sorted(have)}, "
                                    f"expected {sorted(want)}")
                else:
                    seen[t.kind] = seen.get(t.kind, 0) + 1
            for i, c in enumerate(text):
                if not in_token[i] and not c.isspace() and "Comment" not in groups[i]:
                    line = text.count("\n", 0, i) + 1
                    problems.append(f"{path}:{line}: `{c}` is outside every token but in "
                                    f"{groups[i] or 'no group'}, not a comment")
                    break
    for kind in lexer_tokens.KEYWORDS + ["StringLit", "CharLit", "IntLit", "FloatLit", "UpperId", "LowerId", "->", "::"]:
        if not seen.get(kind):
            problems.append(f"no `{kind}` token was recognised in the corpus")
    for p in problems[:40]:
        print(p)
    print(f"{len(files)} files, {sum(seen.values())} tokens: "
          f"{'FAIL' if problems else 'ok'} ({len(problems)} problems)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
