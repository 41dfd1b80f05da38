#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-includes.py - the include directions of docs/DESIGN.md, enforced.

Usage: scripts/check-includes.py [ROOT]      (ROOT: the tree, default: ours)

agent/: every folder (layer) has a README.md with a line
    May include: lib, sip          (or: May include: nothing)
naming the layers its .c/.h files may include ("layer/file.h"); a file may
always include its own folder's headers. An include that names no folder is
resolved in the including file's folder. agent/tests/ may include anything.

kmod/: module X is a basename (x.c and/or x.h); X depends on Y when x.c or
x.h includes "y.h". The graph must be acyclic, and pernet.h (the
per-namespace state every file reaches) includes no header of ours but
the uapi.

Prints one line per violation and exits 1, or prints nothing and exits 0.
"""
import os
import re
import sys

INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def includes(path):
    with open(path, encoding='utf-8', errors='replace') as f:
        return INC.findall(f.read())


def agent_rules(agent):
    rules = {}
    for layer in sorted(os.listdir(agent)):
        d = os.path.join(agent, layer)
        if layer == 'tests' or not os.path.isdir(d):
            continue
        readme = os.path.join(d, 'README.md')
        allowed = None
        if os.path.exists(readme):
            with open(readme, encoding='utf-8') as f:
                m = re.search(r'^May include:\s*(.*)$', f.read(), re.M)
            if m:
                v = m.group(1).strip().rstrip('.')
                allowed = set() if v == 'nothing' else \
                    {x.strip().strip('`').rstrip('/') for x in v.split(',')}
        rules[layer] = allowed
    return rules


def check_agent(agent):
    errs = []
    rules = agent_rules(agent)
    for layer, allowed in rules.items():
        if allowed is None:
            errs.append(f'agent/{layer}: no README.md with a '
                        '"May include:" line')
            continue
        for x in sorted(allowed - set(rules)):
            errs.append(f'agent/{layer}/README.md: unknown layer "{x}"')
        d = os.path.join(agent, layer)
        for name in sorted(os.listdir(d)):
            if not name.endswith(('.c', '.h')):
                continue
            for inc in includes(os.path.join(d, name)):
                if '/' not in inc:
                    if not os.path.exists(os.path.join(d, inc)):
                        errs.append(f'agent/{layer}/{name}: "{inc}" is not '
                                    f'in {layer}/ (name the folder)')
                    continue
                top = inc.split('/')[0]
                if top in ('..', 'linux') or inc.startswith('../'):
                    continue
                if top == layer:
                    continue
                if top not in rules:
                    errs.append(f'agent/{layer}/{name}: "{inc}": no such '
                                'layer')
                elif top not in allowed:
                    errs.append(f'agent/{layer}/{name}: includes "{inc}": '
                                f'{layer}/ may include '
                                f'{", ".join(sorted(allowed)) or "nothing"}')
    return errs


def find_cycle(graph):
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state:
            c = visit(n)
            if c:
                return c
    return None


def check_kmod(kmod):
    errs = []
    graph = {}
    files = [f for f in os.listdir(kmod) if f.endswith(('.c', '.h'))]
    mods = {os.path.splitext(f)[0] for f in files}
    for f in files:
        x = os.path.splitext(f)[0]
        for inc in includes(os.path.join(kmod, f)):
            if '/' in inc:
                continue
            y = os.path.splitext(inc)[0]
            if y in mods and y != x:
                graph.setdefault(x, set()).add(y)
    # report cycles one at a time, cutting the last edge of each
    while True:
        c = find_cycle(graph)
        if not c:
            break
        errs.append('kmod: include cycle ' + ' -> '.join(c))
        graph[c[-2]].discard(c[-1])
    if os.path.exists(os.path.join(kmod, 'pernet.h')):
        for inc in includes(os.path.join(kmod, 'pernet.h')):
            if not inc.endswith('uapi/linux/pinhole.h'):
                errs.append(f'kmod/pernet.h: includes "{inc}": it may '
                            'include only the uapi')
    else:
        errs.append('kmod: no pernet.h')
    return errs


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    errs = check_agent(os.path.join(root, 'agent')) + \
        check_kmod(os.path.join(root, 'kmod'))
    for e in errs:
        print(e)
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
