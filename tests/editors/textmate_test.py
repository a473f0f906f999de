#!/usr/bin/env python3
"""The TextMate grammar (editors/vscode/syntaxes/atoll.tmLanguage.json) over
every Atoll file of the repository, against the compiler's lexer.

A small TextMate engine (match, begin/end with nested patterns, captures,
includes; a line at a time with its newline, as vscode-textmate feeds
them) tokenises each file. Then: every regex compiles; no begin/end region
is left open at the end of a file; each token the lexer finds gets the
scope of its kind (keyword, operator, string, character, number, type,
punctuation, a plain name); no token is inside a comment and every other
non-blank character is. The regexes are written in the subset Python's re
and Oniguruma (VS Code's engine) read alike: no possessive quantifiers, no
\\h or \\G.
"""
import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import lexer_tokens  # noqa: E402


class Grammar:
    def __init__(self, path: Path):
        g = json.loads(path.read_text())
        self.scope = g["scopeName"]
        self.repository = g.get("repository", {})
        self.top = g["patterns"]
        self.compiled = {}
        self.regexes = 0

    def compile(self, pattern: str) -> re.Pattern:
        if pattern not in self.compiled:
            self.compiled[pattern] = re.compile(pattern)  # raises on a bad regex
            self.regexes += 1
        return self.compiled[pattern]

    def leaves(self, patterns: list, seen=()) -> list[dict]:
        """The match and begin/end rules of a pattern list, includes resolved."""
        out = []
        for p in patterns:
            if "include" in p:
                name = p["include"]
                if name == "$self":
                    target = {"patterns": self.top}
                elif name.startswith("#") and name[1:] in self.repository:
                    target = self.repository[name[1:]]
                else:
                    raise AssertionError(f"unknown include {name!r}")
                if "match" in target or "begin" in target:
                    out.append(target)
                elif name not in seen:
                    out += self.leaves(target.get("patterns", []), seen + (name,))
            elif "match" in p or "begin" in p:
                out.append(p)
            else:
                out += self.leaves(p.get("patterns", []), seen)
        return out

    def check_all_regexes(self) -> None:
        rules = list(self.repository.values()) + self.top
        while rules:
            r = rules.pop()
            for key in ("match", "begin", "end"):
                if key in r:
                    self.compile(r[key])
            rules += r.get("patterns", [])


def tokenize(g: Grammar, text: str) -> tuple[list[tuple], int]:
    """The scope stack of every character of `text`, and how many
    begin/end regions are still open at its end."""
    scopes: list[tuple] = []
    # A frame: (scope names, leaf rules inside, end regex or None, rule)
    stack = [((g.scope,), g.leaves(g.top), None, None)]

    def paint(names: tuple, n: int) -> None:
        scopes.extend([names] * n)

    def paint_match(base: tuple, name: str | None, captures: dict, m: re.Match, line_start: int) -> None:
        names = base + ((name,) if name else ())
        cells = [names] * (m.end() - m.start())
        for group, spec in sorted(captures.items(), key=lambda kv: int(kv[0])):
            s, e = m.span(int(group))
            if s < 0 or "name" not in spec:
                continue
            for i in range(s, e):
                cells[i - m.start()] = cells[i - m.start()] + (spec["name"],)
        scopes.extend(cells)

    lines = text.split("\n")
    for index, body in enumerate(lines):
        line = body + ("\n" if index + 1 < len(lines) else "")
        pos = 0
        while pos < len(line):
            names, rules, end, rule = stack[-1]
            best = None  # (start, order, kind, rule, match)
            if end is not None:
                m = end.search(line, pos)
                if m:
                    best = (m.start(), -1, "end", rule, m)
            for order, r in enumerate(rules):
                m = g.compile(r.get("match") or r["begin"]).search(line, pos)
                if m and (best is None or m.start() < best[0]):
                    best = (m.start(), order, "begin" if "begin" in r else "match", r, m)
            if best is None:
                paint(names, len(line) - pos)
                break
            start, _, kind, r, m = best
            paint(names, start - pos)
            if kind == "end":
                paint_match(names[:-1] if r.get("name") else names,
                            r.get("name"), r.get("endCaptures", r.get("captures", {})), m, 0)
                stack.pop()
            elif kind == "match":
                paint_match(names, r.get("name"), r.get("captures", {}), m, 0)
                if m.end() == m.start():  # an empty match must not stall
                    paint(names, 1)
                    pos = m.end() + 1
                    continue
            else:
                paint_match(names, r.get("name"), r.get("beginCaptures", r.get("captures", {})), m, 0)
                inner = names + ((r["name"],) if r.get("name") else ())
                stack.append((inner, g.leaves(r.get("patterns", [])), g.compile(r["end"]), r))
            pos = m.end()
    return scopes, len(stack) - 1


def expected_scope(kind: str) -> str | None:
    """The scope prefix a token of the lexer's `kind` must carry (None: a
    plain name, which carries no keyword, string, number or comment scope)."""
    if kind in lexer_tokens.KEYWORDS:
        return "keyword.control" if kind in ("let", "in", "do", "if", "then", "else", "case",
                                             "of", "where") else "keyword.other"
    return {"StringLit": "string.quoted.double", "CharLit": "string.quoted.single",
            "IntLit": "constant.numeric.integer", "FloatLit": "constant.numeric.float",
            "UpperId": "TYPE", "LowerId": None, "Underscore": None}.get(
        kind, "punctuation" if kind in lexer_tokens.PUNCTUATION else "keyword.operator")


REGION_FORMS = {"runST", "runIO", "forkIO", "parST"}


def check_file(g: Grammar, path: Path, text: str, tokens, seen: dict) -> list[str]:
    problems = []
    scopes, open_regions = tokenize(g, text)
    assert len(scopes) == len(text), (len(scopes), len(text))
    if open_regions:
        problems.append(f"{path}: {open_regions} begin/end region(s) still open at the end of the file")
    in_token = [False] * len(text)
    for t in tokens:
        word = text[t.begin:t.end]
        for i in range(t.begin, t.end):
            in_token[i] = True
            if any(s.startswith("comment") for s in scopes[i]):
                problems.append(f"{path}:{t.line}: `{word}` ({t.kind}) is highlighted as a comment")
                break
        want = expected_scope(t.kind)
        if t.kind == "LowerId" and word in REGION_FORMS:
            want = "keyword.other.region"
        have = scopes[t.begin]
        if want == "TYPE":
            ok = any(s.startswith(("entity.name.type", "support.type", "constant.language")) for s in have)
        elif want is None:
            ok = not any(s.startswith(("keyword", "string", "constant", "comment")) for s in have)
        else:
            # the whole token carries it (a string its quotes too)
            ok = all(any(s.startswith(want) for s in scopes[i]) for i in range(t.begin, t.end))
        if not ok:
            problems.append(f"{path}:{t.line}: `{word}` ({t.kind}) has scopes {list(have)}, "
                            f"expected {want or 'no keyword/literal scope'}")
        else:
            seen[t.kind] = seen.get(t.kind, 0) + 1
    for i, c in enumerate(text):
        if not in_token[i] and not c.isspace() and not any(s.startswith("comment") for s in scopes[i]):
            line = text.count("\n", 0, i) + 1
            problems.append(f"{path}:{line}: `{c}` is outside every token but not highlighted as a comment")
            break
    return problems


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--repo", required=True)
    args = ap.parse_args()
    repo = Path(args.repo)
    g = Grammar(repo / "editors/vscode/syntaxes/atoll.tmLanguage.json")
    g.check_all_regexes()
    problems, seen, files = [], {}, 0
    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.atl"
        sample.write_text(lexer_tokens.SAMPLE)
        for path in [sample] + lexer_tokens.corpus(repo):
            tokens = lexer_tokens.tokens_of(args.atoll, path)
            if tokens is None:
                continue
            if path == sample and not tokens:
                problems.append("the sample did not lex")
            files += 1
            problems += check_file(g, path, path.read_text(encoding="utf-8"), tokens, seen)
    # Every keyword and literal kind was met and recognised somewhere, so
    # the checks above were not vacuous.
    for kind in lexer_tokens.KEYWORDS + ["StringLit", "CharLit", "IntLit", "FloatLit", "UpperId", "LowerId", "->", "::"]:
        if not seen.get(kind):
            problems.append(f"no `{kind}` token was recognised in the corpus")
    for p in problems[:40]:
        print(p)
    print(f"{files} files, {sum(seen.values())} tokens, {g.regexes} regexes: "
          f"{'FAIL' if problems else 'ok'} ({len(problems)} problems)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
