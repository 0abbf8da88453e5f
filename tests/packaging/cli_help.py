"""passgatectl's commands and options as its own --help prints them (CLI11's format), for the
tests that check the man page and the bash completion against the program itself.

Run as a script, prints one line per command path: PATH|SUBCOMMANDS|OPTIONS (each space
separated; PATH empty for the top level)."""
import re
import subprocess
import sys

_SECTION = re.compile(r"^([A-Za-z][A-Za-z ]*):\s*$")
# An entry of a section starts near the left margin; a description that did not fit on its
# entry's line continues far right (CLI11 pads names to 30 columns).
_ENTRY = re.compile(r"^ {1,4}(\S.*?)(?: {2,}.*)?$")
_OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def help_text(program, path):
    run = subprocess.run([program, *path, "--help"], capture_output=True, text=True, timeout=30)
    if run.returncode != 0:
        raise RuntimeError(f"{program} {' '.join(path)} --help exited {run.returncode}: {run.stderr}")
    return run.stdout


def parse(text):
    """(subcommands, options, positionals) of one --help text."""
    subcommands, options, positionals, section = [], [], [], ""
    for line in text.splitlines():
        header = _SECTION.match(line)
        if header:
            section = header.group(1).lower()
            continue
        entry = _ENTRY.match(line)
        if not entry or line.startswith(" " * 5):
            continue
        first_column = entry.group(1)
        if "subcommand" in section:
            subcommands.append(first_column.split()[0])
        elif "positional" in section:
            positionals.append(first_column.split()[0])
        elif "option" in section or "flag" in section:
            options += [o for o in _OPTION.findall(first_column.split(" ")[0]) if o not in options]
    return subcommands, options, positionals


def command_tree(program):
    """{path tuple: (subcommands, options)} for the program and every command under it. The
    arguments a command takes before its subcommand (lane N ...) are given as 1 on the way."""
    tree, todo = {}, [((), ())]
    while todo:
        path, argv = todo.pop(0)
        subcommands, options, positionals = parse(help_text(program, argv))
        tree[path] = (subcommands, options)
        todo += [(path + (sub,), argv + ("1",) * len(positionals) + (sub,)) for sub in subcommands]
    return tree


if __name__ == "__main__":
    for path, (subcommands, options) in command_tree(sys.argv[1]).items():
        print(" ".join(path), " ".join(subcommands), " ".join(options), sep="|")
