#!/usr/bin/env python3
"""`atoll lsp` through a scripted exchange of LSP messages over stdio:
initialize, diagnostics published on didOpen and didChange (code, range,
severity, related notes), hover with the inferred type (UTF-16 columns
after non-ASCII text included), go to definition (a local, a top-level
function, an imported module's function, a Prelude function), an unknown
request, bad parameters, malformed JSON, shutdown and exit. Every byte the server writes must be a framed
JSON-RPC message.
"""
import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import quote, unquote

BROKEN = """\
sumSquares : Int -> Int
sumSquares n = runST $ do
  acc <- newRef 0
  forRange 0 n (\\i -> do
    x <- readRef acc
    print (show x)
    writeRef acc (x + i * i))
  readRef acc

main : Effect s Nondeterministic ()
main = print (show (sumSquares 4))
"""

FIXED = """\
import Util

sumSquares : Int -> Int
sumSquares n = runST $ do
  acc <- newRef 0
  forRange 0 n (\\i -> do
    x <- readRef acc
    writeRef acc (x + i * i))
  readRef acc

main : Effect s Nondeterministic ()
main = do
  let label = "Σ😀" ++ twice "n"
  print (label ++ show (sumSquares 4) ++ show (length [1, 2]))
"""

UTIL = """\
module Util where

twice : String -> String
twice s = s ++ s
"""


class Client:
    def __init__(self, atoll: str):
        self.proc = subprocess.Popen([atoll, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.inbox: queue.Queue = queue.Queue()
        self.problems: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                c = out.read(1)
                if not c:
                    if header:
                        self.problems.append(f"stdout ended inside a header: {header!r}")
                    self.inbox.put(None)
                    return
                header += c
            fields = dict(line.split(": ", 1) for line in header.decode().strip().split("\r\n"))
            if "Content-Length" not in fields:
                self.problems.append(f"a header without Content-Length: {header!r}")
            body = out.read(int(fields["Content-Length"]))
            self.inbox.put(json.loads(body))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def receive(self) -> dict:
        message = self.inbox.get(timeout=60)
        if message is None:
            raise AssertionError("the server closed its output")
        return message

    def request(self, method: str, params) -> dict:
        self.next_id += 1
        self.send({"id": self.next_id, "method": method, "params": params})
        while True:
            m = self.receive()
            if m.get("id") == self.next_id:
                return m
            self.problems.append(f"unexpected message while waiting for {method}: {m}")

    def notify(self, method: str, params) -> None:
        self.send({"method": method, "params": params})

    def diagnostics(self, uri: str) -> list:
        m = self.receive()
        if m.get("method") != "textDocument/publishDiagnostics" or m["params"]["uri"] != uri:
            raise AssertionError(f"expected diagnostics for {uri}, got {m}")
        return m["params"]["diagnostics"]


def utf16_column(line: str, index: int) -> int:
    return len(line[:index].encode("utf-16-le")) // 2


def position_of(text: str, needle: str, occurrence: int = 1, offset: int = 0) -> dict:
    """The LSP position of the occurrence-th `needle` in `text`, plus `offset` characters."""
    i = -1
    for _ in range(occurrence):
        i = text.index(needle, i + 1)
    i += offset
    line = text.count("\n", 0, i)
    start = text.rfind("\n", 0, i) + 1
    return {"line": line, "character": utf16_column(text[start:], i - start)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--atoll", required=True)
    ap.add_argument("--repo", required=True)
    args = ap.parse_args()
    problems: list[str] = []

    def expect(cond: bool, what: str) -> None:
        if not cond:
            problems.append(what)

    with tempfile.TemporaryDirectory(prefix="atoll lsp ") as tmp:  # a space: URIs are escaped
        (Path(tmp) / "Util.atl").write_text(UTIL)
        path = Path(tmp) / "main.atl"
        uri = "file://" + quote(str(path))
        c = Client(args.atoll)

        r = c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}})
        expect(r.get("error", {}).get("code") == -32002, f"a request before initialize: {r}")

        r = c.request("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": {}})
        caps = r["result"]["capabilities"]
        expect(caps.get("hoverProvider") is True and caps.get("definitionProvider") is True,
               f"capabilities: {caps}")
        expect(caps.get("textDocumentSync", {}).get("change") == 1, f"full sync: {caps}")
        c.notify("initialized", {})

        # didOpen: the print under runST, E0501 at the print (line 6, 0-based 5).
        c.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "atoll", "version": 1,
                                                           "text": BROKEN}})
        ds = c.diagnostics(uri)
        expect(len(ds) == 1, f"one diagnostic on open: {ds}")
        if ds:
            d = ds[0]
            expect(d.get("code") == "E0501" and d.get("severity") == 1, f"E0501 error: {d}")
            expect(d["range"]["start"] == position_of(BROKEN, "print (show x)") and
                   d["range"]["end"] == position_of(BROKEN, "print (show x)", offset=len("print (show x)")),
                   f"the range is the print: {d['range']}")
            expect("Nondeterministic" in d["message"] and "runIO" in d["message"],
                   f"message and its notes: {d['message']!r}")
            related = d.get("relatedInformation", [])
            expect(any(x["location"]["uri"] == uri and
                       x["location"]["range"]["start"] == position_of(BROKEN, "runST") for x in related),
                   f"a related note at the runST: {related}")

        # didChange to a program that checks (and imports Util): no diagnostics.
        c.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                            "contentChanges": [{"text": FIXED}]})
        ds = c.diagnostics(uri)
        expect(ds == [], f"no diagnostics after the fix: {ds}")

        def hover(needle: str, occurrence: int = 1, offset: int = 0):
            r = c.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                 "position": position_of(FIXED, needle, occurrence, offset)})
            result = r.get("result")
            return result["contents"]["value"] if result else None

        h = hover("sumSquares 4", offset=2)
        expect(h is not None and "sumSquares : Int -> Int" in h, f"hover on a call's function: {h!r}")
        h = hover("acc", occurrence=2)
        expect(h is not None and "acc : Ref s" in h and "Int" in h, f"hover on a Ref: {h!r}")
        h = hover("main =", offset=1)
        expect(h is not None and "main : Effect s Nondeterministic ()" in h, f"hover on a definition: {h!r}")
        # After "Σ😀" (two code points, three UTF-16 units): the position of
        # the last letter of `twice` must be counted in UTF-16 to land on it.
        h = hover("twice", offset=4)
        expect(h is not None and "twice : String -> String" in h, f"hover after non-ASCII text: {h!r}")
        h = hover("x <-")
        expect(h is not None and "x : Int" in h, f"hover on a variable where it is bound: {h!r}")
        h = hover("label =")
        expect(h is not None and "label : String" in h, f"hover on a let name: {h!r}")
        h = hover("x + i", offset=2)
        expect(h is not None and "Int" in h, f"hover on an operator's operand: {h!r}")

        def definition(needle: str, occurrence: int = 1, offset: int = 0):
            r = c.request("textDocument/definition", {"textDocument": {"uri": uri},
                                                      "position": position_of(FIXED, needle, occurrence, offset)})
            return r.get("result")

        d = definition("acc", occurrence=3)
        expect(d is not None and d["uri"] == uri and d["range"]["start"] == position_of(FIXED, "acc <-"),
               f"definition of a local: {d}")
        d = definition("sumSquares 4")
        expect(d is not None and d["uri"] == uri and d["range"]["start"] == position_of(FIXED, "sumSquares n"),
               f"definition of a top-level function: {d}")
        d = definition("twice")
        expect(d is not None and unquote(d["uri"].removeprefix("file://")) == str(Path(tmp) / "Util.atl") and
               d["range"]["start"] == position_of(UTIL, "twice s"), f"definition in an imported module: {d}")
        d = definition("length")
        if d is None:
            problems.append("no definition for the Prelude's length")
        else:
            prelude = Path(unquote(d["uri"].removeprefix("file://")))
            lines = prelude.read_text().split("\n") if prelude.exists() else []
            start = d["range"]["start"]
            expect(prelude.name == "Prelude.atl" and lines and
                   lines[start["line"]][start["character"]:].startswith("length"),
                   f"definition in the Prelude: {d}")
        expect(definition("print") is None, "a primitive has no definition to go to")

        r = c.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}})
        expect(r.get("error", {}).get("code") == -32601, f"an unknown request: {r}")
        r = c.request("textDocument/hover", {"textDocument": {"uri": uri}})
        expect(r.get("error", {}).get("code") == -32602, f"a request without its position: {r}")
        body = b"{not json"
        c.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        c.proc.stdin.flush()
        r = c.receive()
        expect(r.get("id", 0) is None and r.get("error", {}).get("code") == -32700, f"malformed JSON: {r}")

        c.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        expect(c.diagnostics(uri) == [], "diagnostics cleared on close")

        r = c.request("shutdown", None)
        expect("result" in r and r["result"] is None, f"shutdown: {r}")
        c.notify("exit", None)
        status = c.proc.wait(timeout=30)
        expect(status == 0, f"exit status after shutdown and exit: {status}")
        stderr = c.proc.stderr.read().decode()
        expect(c.inbox.get(timeout=10) is None, "nothing after exit")
        problems += c.problems
        if stderr:
            print("stderr:", stderr)

    # The input ending without shutdown and exit: status 1.
    r = subprocess.run([args.atoll, "lsp"], stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    expect(r.returncode == 1 and r.stdout == b"", f"end of input without exit: {r.returncode} {r.stdout!r}")

    for p in problems:
        print("FAIL:", p)
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
