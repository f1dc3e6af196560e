"""Every name a person reads in a shipped diagram (steps, events, phases, flows) has English in
the catalogue, read straight from the diagram with the extractor ``make translations`` uses:
a step a designer adds to a shipped diagram fails here until it is translated."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from processes import diagram_paths
from webapp import procedure_texts

EN_PO = (Path(procedure_texts.__file__).parent / "translations" / "en" / "LC_MESSAGES"
         / "messages.po")


@pytest.mark.parametrize("path", diagram_paths(), ids=lambda path: path.name)
def test_every_name_in_a_shipped_diagram_has_english(path: Path) -> None:
    with EN_PO.open("rb") as file:
        english = read_po(file)
    with path.open("rb") as diagram:
        names = [(name, where) for _line, _none, name, [where]
                 in procedure_texts.extract_bpmn(diagram, (), (), {})]
    assert len(names) > 100, "the extractor read the diagram"
    missing = [f"{where}: {name}" for name, where in names
               if english.get(name) is None or not english[name].string
               or english[name].fuzzy]
    assert not missing, f"{path.name}: names without English in {EN_PO.name}: {missing}"
