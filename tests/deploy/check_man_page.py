#!/usr/bin/env python3
"""poold's manual page documents exactly the options `poold --help` lists, and its version.

Every option (long and short form) in `poold --help` must appear in the man page's OPTIONS
section, every option documented there must exist in `poold --help`, and the page's title line
must carry the version `poold --version` prints.
Usage: check_man_page.py POOLD MAN_PAGE
"""
import re
import subprocess
import sys

OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def help_options(poold):
    text = subprocess.run([poold, "--help"], capture_output=True, text=True, check=True).stdout
    options = set()
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("-"):
            # "-c,--config TEXT   description": the option column ends at the first double space.
            options |= set(OPTION.findall(re.split(r"\s{2,}", stripped)[0]))
    return options


def man_options(page):
    plain = page.replace("\\-", "-")
    section = re.search(r"^\.SH OPTIONS\n(.*?)^\.SH ", plain, re.S | re.M)
    if not section:
        sys.exit("the man page has no OPTIONS section")
    # Option names are on the .TP tag lines (the line after each .TP).
    tags = re.findall(r"^\.TP\n(.*)$", section.group(1), re.M)
    return {o for tag in tags for o in OPTION.findall(re.sub(r"\\f[BIRP]", "", tag))}


def main():
    poold, man_path = sys.argv[1:3]
    with open(man_path) as f:
        page = f.read()
    in_help = help_options(poold)
    in_man = man_options(page)
    if not in_help:
        sys.exit("found no options in poold --help")
    problems = [f"`poold --help` lists {o}, the man page does not document it" for o in sorted(in_help - in_man)]
    problems += [f"the man page documents {o}, `poold --help` has no such option" for o in sorted(in_man - in_help)]
    version = subprocess.run([poold, "--version"], capture_output=True, text=True, check=True).stdout.split()[-1]
    title = re.search(r"^\.TH .*$", page, re.M)
    if not title or f" {version}\"" not in title.group(0):
        problems.append(f"the man page's .TH line does not name version {version}: {title.group(0) if title else '(none)'}")
    for p in problems:
        print(p)
    print(f"man page: {len(in_help)} options in poold --help, {len(in_man)} documented, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
