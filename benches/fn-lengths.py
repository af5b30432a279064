#!/usr/bin/env python3
"""Function lengths of a Rust source tree (brace matching; strings and comments skipped
roughly; unit-test modules at the end of a file left out): the median, how many are over 50
and 80 lines, and the longest. Usage: benches/fn-lengths.py src generate bin (folders to skip)."""
import os, re, sys, pathlib, statistics
root = pathlib.Path(sys.argv[1])
skip = sys.argv[2:] 
lens = []
for f in sorted(root.rglob('*.rs')):
    rel = str(f.relative_to(root))
    if any(rel.startswith(s) for s in skip):
        continue
    lines = f.read_text().split('\n')
    i = 0
    in_test = False
    while i < len(lines):
        l = lines[i]
        if re.match(r'\s*#\[cfg\(test\)\]', l):
            break  # tests at the end of the file
        m = re.match(r'\s*(pub(\([a-z]+\))?\s+)?(const\s+)?(async\s+)?fn\s+(\w+)', l)
        if m and not l.rstrip().endswith(';'):
            depth = 0; started = False; j = i
            while j < len(lines):
                s = re.sub(r'"(\\.|[^"\\])*"', '""', lines[j])
                s = re.sub(r"'(\\.|[^'\\])'", "''", s)
                s = s.split('//')[0]
                depth += s.count('{') - s.count('}')
                if '{' in s: started = True
                if started and depth <= 0: break
                j += 1
            lens.append((j - i + 1, rel, i + 1, m.group(5)))
            i = j + 1
            continue
        i += 1
ls = [x[0] for x in lens]
print(f"{len(ls)} functions, median {statistics.median(ls)} lines, over 80: {sum(1 for x in ls if x > 80)}, over 50: {sum(1 for x in ls if x > 50)}")
for x in sorted(lens, reverse=True)[:int(os.environ.get('TOP', '15'))]:
    print(f"  {x[0]:4} {x[1]}:{x[2]} {x[3]}")
