"""The archive's side of Fiks Arkiv for the tests: read an arkivmelding folder or zip, check
it against KS's schema, and answer with a kvittering as a Noark 5 archive would."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pika
from lxml import etree

from engine.features.arkivmelding import KVITTERING, NS, NS_KVITTERING, OPPRETT, SCHEMAS

XSI = "http://www.w3.org/2001/XMLSchema-instance"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
N = {"a": NS, "m": MDK}


def schema(message_type: str) -> Any:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{message_type}.xsd")))


def valid(xml: bytes, message_type: str = OPPRETT) -> Any:
    """The parsed message; the test fails with the schema's complaints when it is invalid."""
    document = etree.fromstring(xml)
    checker = schema(message_type)
    assert checker.validate(document), [str(e) for e in checker.error_log]
    return document


def codes(document: Any, name: str) -> list[str]:
    return [str(e) for e in document.xpath(f"//a:{name}/m:kode/text()", namespaces=N)]


def texts(document: Any, path: str) -> list[str]:
    return [str(e) for e in document.xpath(path, namespaces=N)]


def kvittering(document: Any, folder_id: str, saksaar: int, sekvens: int) -> bytes:
    """The archive's answer to an arkivmelding: the saksmappe (made or found) and the new
    journalpost, valid against the kvittering schema."""
    root = etree.Element(f"{{{NS_KVITTERING}}}arkivmeldingKvittering",
                         nsmap={None: NS_KVITTERING, "xsi": XSI})

    def sub(parent: Any, name: str, text: str | None = None) -> Any:
        element = etree.SubElement(parent, f"{{{NS_KVITTERING}}}{name}")
        element.text = text
        return element

    mappe = sub(root, "mappeKvittering")
    mappe.set(f"{{{XSI}}}type", "saksmappeKvittering")
    sub(mappe, "systemID", folder_id)
    sub(mappe, "opprettetEllerEksisterende",
        "Opprettet" if document.find("a:mappe", N) is not None else "Eksisterende")
    sub(mappe, "saksaar", str(saksaar))
    sub(mappe, "sakssekvensnummer", str(sekvens))
    post = sub(root, "registreringKvittering")
    post.set(f"{{{XSI}}}type", "journalpostKvittering")
    sub(post, "systemID", str(uuid.uuid4()))
    sub(post, "opprettetEllerEksisterende", "Opprettet")
    answer: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    valid(answer, KVITTERING)
    return answer


def unpacked(package: bytes) -> bytes:
    """The arkivmelding.xml of a message as the AMQP target packs it (one zip)."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return archive.read("arkivmelding.xml")


def folders(path: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(path.iterdir()) if p.is_dir()}


def failed_kvittering(error_id: str, text: str) -> bytes:
    """The archive's answer when it could make neither the saksmappe nor the journalpost."""
    feil = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
    root = etree.Element(f"{{{NS_KVITTERING}}}arkivmeldingKvittering",
                         nsmap={None: NS_KVITTERING, "feil": feil})
    for name in ("mappeFeilet", "registreringFeilet"):
        failed = etree.SubElement(root, f"{{{NS_KVITTERING}}}{name}")
        etree.SubElement(failed, f"{{{feil}}}feilId").text = error_id
        etree.SubElement(failed, f"{{{feil}}}feilmelding").text = text
    answer: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    valid(answer, KVITTERING)
    return answer


def answer_all(channel: Any, queue: str, reply_queue: str, folder_id: str, saksaar: int,
               sekvens: int) -> list[Any]:
    """The archive's side of the AMQP target: take every arkivmelding off ``queue``, check it
    against the schema (and that each file it names is in its package), answer it with a
    kvittering naming the saksmappe; the parsed messages."""
    seen = []
    while True:
        method, properties, body = channel.basic_get(queue)
        if method is None:
            return seen
        assert properties.type == OPPRETT and properties.reply_to == reply_queue
        with zipfile.ZipFile(io.BytesIO(body)) as package:
            message = valid(package.read("arkivmelding.xml"))
            for name in texts(message, "//a:referanseDokumentfil/text()"):
                assert package.read(name)
        channel.basic_publish("", properties.reply_to,
                              kvittering(message, folder_id, saksaar, sekvens),
                              pika.BasicProperties(type=KVITTERING,
                                                   correlation_id=properties.message_id))
        channel.basic_ack(method.delivery_tag)
        seen.append(message)
