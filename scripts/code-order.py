#!/usr/bin/env python3
"""Writes the linker script that lays out the executed functions together, from
callgrind profiles (--dump-instr=yes --compress-strings=no --compress-pos=no).

Usage: code-order.py BINARY NM_OUTPUT OUT.ld FIRST.cg... [-- LATER.cg...]
  BINARY is the profiled binary as callgrind names it, NM_OUTPUT its
  `nm -S --defined-only`. Functions executed in the FIRST profiles
  come first, then those only the LATER ones executed; each group in address order,
  which keeps the compiler's own neighbourhoods.

Each symbol becomes, where it can, a section pattern that does not depend on the
build: a Rust legacy symbol loses its hash (`..17h<16 hex>E`), and a local clone its
numeric suffix (`.123`, `.llvm.123`), both replaced by `*`, so the list stays valid
across version bumps and toolchains. Generic instances share one such name (every
`<Vec<T> as Clone>::clone` is `..Vec..Clone..5clone17h*`); where a pattern would pull
in more than twice the code that ran, the exact section name is used instead. When
its hash changes, that function just goes back to the cold part.
"""
import bisect
import re
import sys


def read_symbols(path):
    syms = []
    for line in open(path):
        parts = line.split()
        if len(parts) == 4 and parts[2] in "tTwW":
            syms.append((int(parts[0], 16), int(parts[1], 16), parts[3]))
    syms.sort()
    return syms


def executed_addresses(profile, binary):
    """The instruction addresses callgrind saw in BINARY's code.

    Under `ob=BINARY` callgrind gives addresses relative to the binary's load base;
    functions it could not place (`ob=???`, common in a stripped binary) come with
    absolute addresses, so for those the base is found from the C functions among
    them (their names need no demangling). Addresses of other objects (libc) are
    left out. Returns (relative addresses, absolute addresses, lowest absolute
    address seen in each function)."""
    relative, absolute, lowest, ob, fn = set(), set(), {}, None, None
    for line in open(profile, errors="replace"):
        if line.startswith("ob="):
            ob = line[3:].strip()
        elif line.startswith("fn="):
            fn = line[3:].strip()
        elif line.startswith("0x"):
            addr = int(line.split(None, 1)[0], 16)
            if ob == binary:
                relative.add(addr)
            elif ob == "???":
                absolute.add(addr)
                if addr < lowest.get(fn, addr + 1):
                    lowest[fn] = addr
    return relative, absolute, lowest


def load_base(lowest, syms):
    """Where the profiled run loaded the binary: the offset most C functions agree on
    (their names need no demangling, and an entry is a function's lowest address)."""
    votes = {}
    for start, _, name in syms:
        if name in lowest and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            base = lowest[name] - start
            votes[base] = votes.get(base, 0) + 1
    if not votes:
        return None
    base, count = max(votes.items(), key=lambda kv: kv[1])
    return base if count >= 3 else None


def pattern(name):
    legacy = re.match(r"^(.*17h)[0-9a-f]{16}E", name)
    if legacy:
        return legacy.group(1) + "*"
    bare = re.sub(r"(\.(llvm\.)?[0-9]+)+$", "", name)
    return bare + "*" if bare != name else name


def functions(profiles, binary, syms):
    starts = [s[0] for s in syms]
    hit = set()
    for profile in profiles:
        relative, absolute, lowest = executed_addresses(profile, binary)
        if not relative:
            sys.exit(f"code-order: {profile} has nothing of {binary} (another build?)")
        base = load_base(lowest, syms)
        found = list(relative) + ([a - base for a in absolute] if base is not None else [])
        for a in found:
            i = bisect.bisect_right(starts, a) - 1
            if i >= 0 and syms[i][0] + max(syms[i][1], 1) > a:
                hit.add(i)
    return hit


def main():
    args = sys.argv[1:]
    binary, nm_out, out = args[:3]
    rest = args[3:]
    first = rest[: rest.index("--")] if "--" in rest else rest
    later = rest[rest.index("--") + 1 :] if "--" in rest else []
    syms = read_symbols(nm_out)
    early = functions(first, binary, syms)
    late = functions(later, binary, syms) - early
    ran = early | late
    # What each pattern would take: all the code it matches, and the part that ran.
    matched, ran_size = {}, {}
    for i, (_, size, name) in enumerate(syms):
        p = pattern(name)
        matched[p] = matched.get(p, 0) + size
        if i in ran:
            ran_size[p] = ran_size.get(p, 0) + size
    order, placed = [], set()
    for group in (sorted(early), sorted(late)):
        for i in group:
            name = syms[i][2]
            p = pattern(name)
            if matched[p] > 2 * max(ran_size[p], 64):
                p = name
            if p not in placed:
                placed.add(p)
                order.append(p)
    size = sum(s[1] for i, s in enumerate(syms) if i in ran)
    exact = sum(1 for p in order if "*" not in p)
    with open(out, "w") as f:
        f.write(
            "/* The functions a running cockpit executes, laid out together so that its\n"
            "   resident code is what it runs (see link/README.md). Generated by\n"
            "   scripts/profile-code-order; a pattern that no longer matches is harmless. */\n"
        )
        f.write("SECTIONS\n{\n  .text.hot : {\n")
        for p in order:
            # LLVM puts functions it deems cold (`#[cold]`, panics, growth paths
            # such as `reserve_rehash`) in `.text.unlikely.<name>`.
            f.write(f"    *(.text.{p} .text.unlikely.{p})\n")
        f.write("  }\n}\nINSERT BEFORE .text;\n")
    print(
        f"code-order: {len(order)} patterns ({exact} exact), {len(ran)} functions executed "
        f"({size / 1e6:.2f} MB of code) -> {out}",
        file=sys.stderr,
    )


main()
