#!/usr/bin/env python3
"""Turns callgrind profiles of the sluice binary into scripts/link-order.txt, the
functions that ran in the order they first ran, for lld's --symbol-ordering-file
(scripts/gen-link-order.sh runs this; scripts/build.sh passes the file on).

    link-order.py BINARY LINK_MAP OUT_FILE PROFILE...

BINARY is the profiled binary (symbols), LINK_MAP lld's -Map output for it: the input
section of each function, so that each section is named once (a section without
function sections holds many functions, and moves as one). LLVM's unnamed private
functions need no entry: scripts/link-order.ld places all of them.
"""
import bisect
import re
import subprocess
import sys

binary, link_map, out_file, profiles = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

# The input sections of .text: (address, size, file, section), and the symbols in each.
sections, symbols_in = [], {}
in_text = False
line_re = re.compile(r"^\s*([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\d+\s(\s*)(.*)$")
with open(link_map, errors="replace") as f:
    for line in f:
        m = line_re.match(line.rstrip("\n"))
        if not m:
            continue
        address, size, indent, what = int(m.group(1), 16), int(m.group(2), 16), len(m.group(3)), m.group(4)
        if indent == 0:  # an output section
            in_text = what in (".text", ".text.sluice_unnamed")
            continue
        if not in_text:
            continue
        input_section = re.match(r"^(.*):\((\S+)\)$", what)
        if input_section:
            sections.append((address, size, input_section.group(1), input_section.group(2)))
        elif sections:
            symbols_in.setdefault(len(sections) - 1, []).append(what)
if not sections:
    sys.exit(f"{link_map}: no .text input sections found (is it an lld -Map file?)")
starts = [s[0] for s in sections]


def section_at(address):
    i = bisect.bisect_right(starts, address) - 1
    if i >= 0 and sections[i][0] <= address < sections[i][0] + max(sections[i][1], 1):
        return i
    return None


# Addresses of the binary's functions, local ones included (the link map leaves some out).
function_address = {}
nm = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
for line in nm.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        function_address.setdefault(parts[2], int(parts[0], 16))

named, seen = [], set()
for profile in profiles:
    objects, functions, current = {}, {}, None
    with open(profile, errors="replace") as f:
        for line in f:
            m = re.match(r"^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
            if not m:
                continue
            kind, key, name = m.groups()
            table = objects if kind.endswith("ob") else functions
            if name:
                table[key] = name
            if kind == "ob":
                current = objects.get(key, "")
                continue
            if kind != "fn":
                continue
            name = re.sub(r"'\d+$", "", functions[key])  # callgrind's recursion suffix
            if re.fullmatch(r"0x[0-9a-f]+", name):
                # By address, whatever object callgrind filed it under: code in the extra
                # output section of scripts/link-order.ld shows up as object "???".
                index = section_at(int(name, 16))
            elif current != binary:
                continue
            else:
                index = section_at(function_address[name]) if name in function_address else None
            if index is None or index in seen:
                continue
            seen.add(index)
            _, _, path, section = sections[index]
            if section.startswith(".text..L"):
                continue  # unnamed: scripts/link-order.ld places them
            elif section.startswith(".text.") and section[6:] in function_address:
                named.append(section[6:])
            elif name in function_address:
                named.append(name)  # a function of a section that holds several (.text)
            else:
                inside = [n for n in symbols_in.get(index, []) if n in function_address]
                if inside:
                    named.append(inside[0])

with open(out_file, "w") as f:
    f.write("\n".join(named) + "\n")
print(f"{len(named)} functions")
