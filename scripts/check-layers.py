#!/usr/bin/env python3
"""Check every `#include "..."` against LAYERS.

Fails (exit 1, one line per problem) when a file includes a folder of a
higher layer, a folder LAYERS does not name, or when folders include each
other (a circle of any length, e.g. two engines). Usage:
    scripts/check-layers.py [ROOT]      (ROOT defaults to the repository)
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers(root):
    """[(folder or 'x/*', layer index)] from LAYERS, lowest first."""
    layers = []
    with open(os.path.join(root, "LAYERS"), encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                layers.append(line.split())
    return layers


def folder_of(path, wild):
    """The folder a repository path belongs to: 'engines/boards' for a
    path under a wildcard parent, else its top-level folder."""
    parts = path.split("/")
    if parts[0] in wild and len(parts) > 2:
        return parts[0] + "/" + parts[1]
    return parts[0]


def main(root):
    layers = read_layers(root)
    rank = {}       # folder -> layer index
    wild = {}       # 'engines' -> layer index
    for i, names in enumerate(layers):
        for n in names:
            if n.endswith("/*"):
                wild[n[:-2]] = i
            else:
                rank[n] = i

    def layer(folder):
        if folder in rank:
            return rank[folder]
        top = folder.split("/")[0]
        return wild.get(top)

    problems = []
    edges = {}      # folder -> {included folder: first file that does it}
    tops = list(rank) + list(wild)
    for top in tops:
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".c", ".h")):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                src = folder_of(rel, wild)
                with open(full, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for inc in INCLUDE.findall(text):
                    if "/" not in inc:
                        problems.append(f"{rel}: includes \"{inc}\" without its folder")
                        continue
                    dst = folder_of(inc, wild)
                    if dst == src:
                        continue
                    if layer(dst) is None:
                        problems.append(f"{rel}: includes \"{inc}\": {dst}/ is not in LAYERS")
                        continue
                    if layer(dst) > layer(src):
                        problems.append(f"{rel}: includes \"{inc}\": {src}/ may not include "
                                        f"{dst}/, a higher layer (see LAYERS)")
                        continue
                    edges.setdefault(src, {}).setdefault(dst, rel)

    # Circles between folders (same layer: only engines/* can have them).
    for cycle in find_cycles(edges):
        hops = [f"{a}/ -> {b}/ ({edges[a][b]})" for a, b in zip(cycle, cycle[1:] + cycle[:1])]
        problems.append("folders include each other: " + ", ".join(hops))

    for p in problems:
        print(p)
    if problems:
        print(f"check-layers: {len(problems)} problem(s)")
        return 1
    print(f"check-layers: ok ({sum(len(v) for v in edges.values())} folder edges, no circles)")
    return 0


def find_cycles(edges):
    """One cycle per strongly connected component of more than one folder."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, {})):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(path_in(sorted(comp), edges))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def path_in(comp, edges):
    """A cycle through comp[0] inside the component (breadth-first)."""
    start, members = comp[0], set(comp)
    prev, queue = {start: None}, [start]
    while queue:
        v = queue.pop(0)
        for w in sorted(edges.get(v, {})):
            if w == start:
                path = [v]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return path[::-1]
            if w in members and w not in prev:
                prev[w] = v
                queue.append(w)
    return comp


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(here)))
