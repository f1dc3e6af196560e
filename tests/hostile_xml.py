"""Hostile XML for the deploy tests: entities must never be resolved or expanded."""

XXE = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:documentation>&xxe;</bpmn:documentation>
  </bpmn:process>
</bpmn:definitions>"""

# Ten levels of ten-fold entity expansion: 10^9 "lol"s if a parser expanded them.
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
              for i in range(1, 10))
    + ']>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
      'id="d"><bpmn:process id="p" isExecutable="true"><bpmn:documentation>&lol9;'
      '</bpmn:documentation></bpmn:process></bpmn:definitions>')
