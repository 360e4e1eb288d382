"""Write each addon's README.rst from its readme/ fragments (offline stand-in
for OCA's oca-gen-addon-readme, covering the Markdown the fragments use:
paragraphs, lists, emphasis, inline code and fenced code blocks).

    .venv/bin/python scripts/readme_rst.py [addon ...]
"""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [("CONFIGURE", "Configuration"), ("USAGE", "Usage")]


def md_to_rst(text):
    out, code, indent = [], False, ""
    for line in text.splitlines():
        fence = re.match(r"^(\s*)```(\w*)", line)
        if fence:
            if not code:
                indent = fence.group(1)
                out += [f"{indent}.. code-block:: {fence.group(2) or 'text'}", ""]
            else:
                out.append("")  # the block ends before the next paragraph
            code = not code
            continue
        if code:
            body = line[len(indent) :] if line.startswith(indent) else line.lstrip()
            out.append(f"{indent}    {body}" if body else "")
            continue
        out.append(re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", line))
    return "\n".join(out).strip() + "\n"


def heading(title, char):
    return f"{title}\n{char * len(title)}\n"


def build(addon_dir):
    manifest = ast.literal_eval((addon_dir / "__manifest__.py").read_text())
    readme = addon_dir / "readme"
    part = {p.stem: md_to_rst(p.read_text()) for p in readme.glob("*.md")}
    name = manifest["name"]
    lines = [
        "=" * len(name), name, "=" * len(name), "",
        "..", "   Generated from the fragments in readme/ by scripts/readme_rst.py;",
        "   edit those, then run it again.", "",
        "|badge1|", "",
        ".. |badge1| image:: https://img.shields.io/badge/license-LGPL--3-blue.png",
        "    :target: http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
        "    :alt: License: LGPL-3", "",
        part.get("DESCRIPTION", ""),
        "**Table of contents**", "", ".. contents::", "   :local:", "",
    ]  # fmt: skip
    for stem, title in SECTIONS:
        if stem in part:
            lines += [heading(title, "="), part[stem]]
    lines += [heading("Credits", "="), heading("Authors", "-"), f"* {manifest['author']}", ""]
    if "CONTRIBUTORS" in part:
        lines += [heading("Contributors", "-"), part["CONTRIBUTORS"]]
    (addon_dir / "README.rst").write_text("\n".join(lines).rstrip() + "\n")


def main(names):
    dirs = [ROOT / n for n in names] or sorted(ROOT.glob("woow_paas_*"))
    for addon_dir in dirs:
        if (addon_dir / "readme").is_dir():
            build(addon_dir)
            print(f"{addon_dir.name}/README.rst")


if __name__ == "__main__":
    main(sys.argv[1:])
