"""The compiler's own tokens of a file, as ground truth for the editor
grammars (editors/): `atoll check --dump=tokens` gives each token's line,
layout column and kind; its extent is found here the way the lexer
(compiler/lex/lex.cpp) ends it. Columns become character offsets in the
file's text (a tab advances the layout column to the next multiple of 8,
plus one)."""
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

KEYWORDS = ["module", "where", "import", "data", "type", "let", "in", "do", "if", "then",
            "else", "case", "of", "forall"]
PUNCTUATION = set("()[]{},;")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_']*")
NUMBER = re.compile(r"0[xX][0-9A-Fa-f_]*|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9_]+)?")
CHAR = re.compile(r"'(?:\\u\{[0-9A-Fa-f]*\}|\\.|[^'\\\n])'")


@dataclass
class Token:
    kind: str    # LowerId, UpperId, IntLit, FloatLit, CharLit, StringLit,
                 # a keyword, an operator or a punctuation character
    begin: int   # character offsets into the file's text
    end: int
    line: int


def string_end(text: str, i: int) -> int:
    i += 1
    while i < len(text) and text[i] not in '"\n':
        i += 2 if text[i] == "\\" else 1
    return i + 1 if i < len(text) and text[i] == '"' else i


def tokens_of(atoll: str, path: Path) -> list[Token] | None:
    """The file's tokens, or None when the lexer or the layout pass reports
    an error in it (a test of malformed input, which layout repairs with
    tokens of its own: the grammars need not agree there)."""
    r = subprocess.run([atoll, "check", "--dump=tokens", "--color=never", str(path)],
                       capture_output=True, text=True)
    if "error[" in r.stderr:
        return None
    text = path.read_text(encoding="utf-8")
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out = []
    for row in r.stdout.splitlines():
        m = re.match(r"(\d+):(\d+) (\S+)", row)
        if not m:
            raise AssertionError(f"{path}: unexpected --dump=tokens line {row!r}")
        line, column, kind = int(m.group(1)), int(m.group(2)), m.group(3)
        if kind.endswith("layout") or kind == "Eof":
            continue
        i, col = line_starts[line - 1], 1
        while col < column:
            col = (col - 1) // 8 * 8 + 9 if text[i] == "\t" else col + 1
            i += 1
        if kind in ("LowerId", "UpperId") or kind in KEYWORDS:
            end = NAME.match(text, i).end()
        elif kind in ("IntLit", "FloatLit"):
            end = NUMBER.match(text, i).end()
        elif kind == "CharLit":
            end = CHAR.match(text, i).end()
        elif kind == "StringLit":
            end = string_end(text, i)
        else:
            end = i + len(kind)  # operators and punctuation print as their text
        if kind == "_":
            kind = "Underscore"
        out.append(Token(kind, i, end, line))
    return out


def corpus(repo: Path) -> list[Path]:
    """The examples, the standard library, and the syntax and end-to-end
    tests (the other tests repeat their constructs; one atoll process per
    file is the cost)."""
    files = sorted(repo.glob("examples/*.atl")) + sorted(repo.glob("lib/*.atl"))
    files += sorted(repo.glob("tests/lang/syntax/*.atl")) + sorted(repo.glob("tests/lang/e2e/*.atl"))
    return files


# Tricky cases, checked like the corpus (the lexer decides what is right).
SAMPLE = r'''{- a block {- nested -} still comment -}
module Main where
import Chan
f' : Int -> Int   -- a comment
f' x = x + 0x1F + 1_000 -- 2e9
g in' = in' =-- a comment right after an operator
h = ('\'', '\n', '\u{1F600}', "a \"quoted\" {- not a comment -} -- nor this", 2e9, 1.5e-3, 3.25)
k = \x -> case x of
  Just y -> y :: []
  _ -> forall
data T = A | B
type R = { a : Int, b : Bool }
main : Effect s Nondeterministic ()
main = do
  r <- newRef 1 >>= \q -> pure q
  let v = runST (pure 1)
  if True then print "x" else putStr "y" >> print (show (v * 2 /= 3 && False || 1 <= 2))
'''
