"""The man pages document every command and option the programs have, as their --help prints
them at test time (docs/man/*.scd, the pages' sources):
  - passgatectl(8): each top-level command has its "## COMMAND" section, which names (in bold)
    its actions and its options; an option may instead be among the global options (the
    "# OPTIONS" section, which also holds every option of passgatectl itself); and every
    "## COMMAND" section is a real command;
  - passgated(8): every option in its "# OPTIONS" section;
  - passgate-sim(1): every command, action and option, in bold somewhere in the page.
usage: manpage_test.py MAN_DIR PASSGATECTL PASSGATED PASSGATE_SIM"""
import re
import sys
from pathlib import Path

from cli_help import command_tree, help_text, parse

_BOLD = re.compile(r"\*([^*\n]+)\*")


def bold_words(text):
    return {word for span in _BOLD.findall(text) for word in re.split(r"[\s|,\[\]]+", span) if word}


def sections(source, marker):
    """{heading: body} of the headings that start with `marker` ("# " or "## ")."""
    parts, heading = {}, None
    for line in source.splitlines():
        if line.startswith("#"):
            heading = line[len(marker):].strip() if line.startswith(marker) else None
            if heading is not None:
                parts[heading] = ""
            continue
        if heading is not None:
            parts[heading] += line + "\n"
    return parts


def check_passgatectl(page, program, problems):
    tree = command_tree(program)
    global_options = bold_words(sections(page, "# ").get("OPTIONS", ""))
    # Each "## " section ends at the next heading, so it holds one command's text alone.
    commands = sections(page, "## ")
    for path, (subcommands, options) in sorted(tree.items()):
        where = "passgatectl " + " ".join(path) if path else "passgatectl"
        if not path:
            for option in options:
                if option not in global_options:
                    problems.append(f"{where}: option {option} is not in the man page's OPTIONS section")
            continue
        if path[0] not in commands:
            problems.append(f"{where}: no '## {path[0]}' section in the man page")
            continue
        documented = bold_words(commands[path[0]])
        for sub in subcommands:
            if sub not in documented:
                problems.append(f"{where}: action {sub} is not named (in bold) in the man page's '## {path[0]}' section")
        for option in options:
            if option not in documented and option not in global_options:
                problems.append(f"{where}: option {option} is neither in the man page's '## {path[0]}' section nor "
                                "among its global OPTIONS")
    real = {path[0] for path in tree if path}
    for name in commands:
        if name not in real:
            problems.append(f"passgatectl(8) has a section '## {name}', but passgatectl has no such command")


def check_options_section(page, program, name, problems):
    _, options, _ = parse(help_text(program, ()))
    documented = bold_words(sections(page, "# ").get("OPTIONS", ""))
    for option in options:
        if option not in documented:
            problems.append(f"{name}: option {option} is not in the man page's OPTIONS section")


def check_anywhere(page, program, name, problems):
    documented = bold_words(page)
    for path, (subcommands, options) in sorted(command_tree(program).items()):
        for word in [*subcommands, *options]:
            if word not in documented:
                problems.append(f"{name} {' '.join(path)}: {word} is not named (in bold) in the man page")


def main():
    man_dir, passgatectl, passgated, sim = sys.argv[1:5]
    read = lambda page: (Path(man_dir) / page).read_text(encoding="utf-8")
    problems = []
    check_passgatectl(read("passgatectl.8.scd"), passgatectl, problems)
    check_options_section(read("passgated.8.scd"), passgated, "passgated", problems)
    check_anywhere(read("passgate-sim.1.scd"), sim, "passgate-sim", problems)
    for problem in problems:
        print("FAIL:", problem)
    print(f"man pages: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
