"""Fiks Arkiv V1 messages: the arkivmelding (opprett) ipflow sends and the kvittering it reads.

KS's Fiks Arkiv is how a municipal system files records in the sak/arkiv system (Noark 5):
one *saksmappe* per case and one *journalpost* per record, with its documents. This module
is the format alone: it turns the plain :class:`Folder` and :class:`Record` snapshots that
:mod:`engine.features.archiving` reads from the database into XML, validates every message
against KS's schemas (vendored in ``standards/fiks-arkiv-v1``, MIT) before it may leave, and
reads the archive's keys out of a kvittering.

Codes (the Noark 5 code values most archives use; a municipality maps them to its archive's
kodelister, see docs/integrations.md):

- journalposttype: ``U`` a letter ipflow sent, ``I`` what came in (the report of need, a
  letter by post, and the citizen's consent declaration: it is the citizen's, or the
  guardians', statement to the municipality, and they are its avsender), ``X`` a journal
  note (internal, without follow-up; a withdrawn consent is registered as one), ``N`` a
  version of the individual plan: the plan is made by the coordinator with the citizen and
  the care team and sent to no one as a letter, so it is organinternt, but it is followed up
  (its measures have owners, its revision date starts the evaluation), which is N, not X;
- journalstatus: ``E`` ekspedert for sent letters, ``J`` journalført for the rest;
- skjerming on the saksmappe, every journalpost and every document: every ipflow record is
  about a person's health and care, so «Offl. § 13, jf. fvl. § 13» always applies; the public
  titles leave the citizen's name out;
- the citizen is a korrespondansepart (mottaker of letters, avsender of what came in) with
  the fødselsnummer and ``erSkjermet``: Noark allows a person's id on a screened party, and
  without it the archive cannot tie the records to the person for innsyn or digital post.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from engine.kernel.errors import EngineError

SCHEMAS = Path(__file__).parent / "standards" / "fiks-arkiv-v1"
OPPRETT = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
KVITTERING = OPPRETT + ".kvittering"
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
NS_KVITTERING = ("https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/"
                 "opprett/kvittering/v1")
NS_MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
FAGSYSTEM = "ipflow"
SKJERMINGSHJEMMEL = "Offl. § 13, jf. fvl. § 13"
TILGANGSRESTRIKSJON = ("13", "Taushetsplikt (offl. § 13)")
CASE_TITLE = "Individuell plan og koordinator"

# ipflow's document kinds → (journalposttype, journalstatus, the citizen's part, dokumenttype)
KINDS: dict[str, tuple[tuple[str, str], tuple[str, str], tuple[str, str] | None, str]] = {
    "letter": (("U", "Utgående dokument"), ("E", "Ekspedert"), ("EM", "Mottaker"), "BREV"),
    "report": (("I", "Inngående dokument"), ("J", "Journalført"), ("EA", "Avsender"),
               "MELDING"),
    "incoming": (("I", "Inngående dokument"), ("J", "Journalført"), ("EA", "Avsender"),
                 "BREV"),
    "journal": (("X", "Organinternt dokument uten oppfølging"), ("J", "Journalført"), None,
                "NOTAT"),
    "consent": (("I", "Inngående dokument"), ("J", "Journalført"), ("EA", "Avsender"),
                "SAMTYKKE"),
    "plan": (("N", "Organinternt dokument for oppfølging"), ("J", "Journalført"), None,
             "PLAN"),
}
COPY_SUFFIX = ", kopi"
# Noark 5's format code of each kind of file a case keeps (letters and records are printed to
# PDF/A; a letter that came by post may be a scan, and Arkivverket takes JPEG and PNG as they
# are for scanned images).
FORMATS = {"application/pdf": ("RA-PDF", "PDF/A"), "image/jpeg": ("RA-JPEG", "JPEG"),
           "image/png": ("RA-PNG", "PNG")}


class InvalidArkivmelding(EngineError):
    """A message that does not validate against KS's schema: never sent."""

    code = "invalid_arkivmelding"


@dataclass(frozen=True)
class ArchiveFile:
    """One file of a record as it travels: ``name`` is its name inside the message."""

    name: str
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Folder:
    """The case as a saksmappe; ``system_id``/``saksnummer`` once the archive has answered."""

    case_id: int
    citizen_name: str
    citizen_nin: str
    created_at: datetime
    closed: bool
    system_id: str | None = None
    saksnummer: str | None = None


@dataclass(frozen=True)
class Record:
    """One document of the case as a journalpost."""

    document_id: int
    kind: str
    title: str
    created_at: datetime
    recipients: tuple[str, ...]
    files: tuple[ArchiveFile, ...]
    author: str | None = None

    @property
    def reference(self) -> str:
        """The message's reference and the journalpost's external key: the same document
        always gives the same reference, so a redelivery is recognised as one."""
        return f"ipflow-dokument-{self.document_id}"


def _sub(parent: Any, name: str, text: str | None = None, namespace: str = NS) -> Any:
    """A child element; inside the metadatakatalog's own types the children are in its
    namespace (``namespace=NS_MDK``)."""
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if text is not None:
        element.text = text
    return element


def _code(parent: Any, name: str, code: tuple[str, str]) -> None:
    element = _sub(parent, name)
    _sub(element, "kode", code[0], NS_MDK)
    _sub(element, "beskrivelse", code[1], NS_MDK)


def _external_key(parent: Any, name: str, key: str, namespace: str = NS) -> None:
    element = _sub(parent, name, namespace=namespace)
    _sub(element, "fagsystem", FAGSYSTEM, NS_MDK)
    _sub(element, "noekkel", key, NS_MDK)


def _skjerming(parent: Any) -> None:
    element = _sub(parent, "skjerming")
    _code(element, "tilgangsrestriksjon", TILGANGSRESTRIKSJON)
    _sub(element, "skjermingshjemmel", SKJERMINGSHJEMMEL)


def _moment(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _day(value: datetime | date) -> str:
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def case_key(case_id: int) -> str:
    return f"ipflow-sak-{case_id}"


def _saksmappe(root: Any, folder: Folder) -> None:
    mappe = _sub(root, "mappe")
    mappe.set(f"{{{XSI}}}type", "saksmappe")
    _sub(mappe, "tittel", f"{CASE_TITLE} – {folder.citizen_name}")
    _sub(mappe, "offentligTittel", CASE_TITLE)
    part = _sub(mappe, "part")
    _sub(part, "partNavn", folder.citizen_name)
    _code(part, "partRolle", ("TJM", "Tjenestemottaker"))
    person = _sub(part, "personID")
    _sub(person, "landkode", "NO")
    _sub(person, "identifikator", folder.citizen_nin)
    _sub(part, "erSkjermet", "true")
    _sub(part, "erPersonnavn", "true")
    _skjerming(mappe)
    _external_key(mappe, "referanseEksternNoekkel", case_key(folder.case_id))
    _sub(mappe, "saksdato", _day(folder.created_at))
    _code(mappe, "saksstatus", ("A", "Avsluttet") if folder.closed
          else ("B", "Under behandling"))


def _parent(registrering: Any, folder: Folder) -> None:
    """The saksmappe the journalpost belongs in: the archive's keys when a kvittering has
    given them, else ipflow's key of the case (the saksmappe in this or an earlier message)."""
    parent = _sub(registrering, "referanseForelderMappe")
    if folder.system_id:
        _sub(parent, "systemID", folder.system_id, NS_MDK)
    if folder.saksnummer:
        year, number = folder.saksnummer.split("/", 1)
        saksnummer = _sub(parent, "saksnummer", namespace=NS_MDK)
        _sub(saksnummer, "saksaar", year, NS_MDK)
        _sub(saksnummer, "sakssekvensnummer", number, NS_MDK)
    if not folder.system_id:
        _external_key(parent, "referanseEksternNoekkel", case_key(folder.case_id), NS_MDK)


def _dokumentbeskrivelse(registrering: Any, record: Record, number: int,
                         file: ArchiveFile) -> None:
    kind = KINDS[record.kind]
    beskrivelse = _sub(registrering, "dokumentbeskrivelse")
    _code(beskrivelse, "dokumenttype", (kind[3], kind[3].capitalize()))
    _code(beskrivelse, "dokumentstatus", ("F", "Dokumentet er ferdigstilt"))
    _sub(beskrivelse, "tittel", record.title if number == 1 else file.filename)
    _code(beskrivelse, "tilknyttetRegistreringSom",
          ("H", "Hoveddokument") if number == 1 else ("V", "Vedlegg"))
    _sub(beskrivelse, "dokumentnummer", str(number))
    _skjerming(beskrivelse)
    objekt = _sub(beskrivelse, "dokumentobjekt")
    _sub(objekt, "versjonsnummer", "1")
    _code(objekt, "variantformat", ("A", "Arkivformat"))
    _code(objekt, "format", FORMATS[file.media_type])
    _sub(objekt, "mimeType", file.media_type)
    _sub(objekt, "filnavn", file.filename)
    _sub(objekt, "referanseDokumentfil", file.name)
    _sub(objekt, "sjekksum", hashlib.sha256(file.content).hexdigest())
    _sub(objekt, "sjekksumAlgoritme", "SHA-256")
    _sub(objekt, "filstoerrelse", str(len(file.content)))


def _parties(registrering: Any, record: Record, folder: Folder) -> None:
    """The citizen (with fødselsnummer, screened) and the letter's other recipients."""
    role = KINDS[record.kind][2]
    if role is None:
        return
    names = list(record.recipients) or [folder.citizen_name]
    for name in names:
        copy = name.endswith(COPY_SUFFIX)
        shown = name.removesuffix(COPY_SUFFIX)
        part = _sub(registrering, "korrespondansepart")
        _code(part, "korrespondanseparttype", ("EK", "Kopimottaker") if copy else role)
        _sub(part, "korrespondansepartNavn", shown)
        if shown == folder.citizen_name:
            _sub(part, "personid", folder.citizen_nin)
        _sub(part, "erSkjermet", "true")
        _sub(part, "erPersonnavn", "true")


def _journalpost(root: Any, record: Record, folder: Folder) -> None:
    posttype, status, _, _ = KINDS[record.kind]
    registrering = _sub(root, "registrering")
    registrering.set(f"{{{XSI}}}type", "journalpost")
    _sub(registrering, "opprettetDato", _moment(record.created_at))
    _parent(registrering, folder)
    _skjerming(registrering)
    for number, file in enumerate(record.files, start=1):
        _dokumentbeskrivelse(registrering, record, number, file)
    _sub(registrering, "tittel", record.title)
    _sub(registrering, "offentligTittel", record.title)
    if record.author:
        _sub(registrering, "forfatter", record.author)
    _parties(registrering, record, folder)
    _external_key(registrering, "referanseEksternNoekkel", record.reference)
    _code(registrering, "journalposttype", posttype)
    _code(registrering, "journalstatus", status)
    _sub(registrering, "journaldato", _day(record.created_at))
    _sub(registrering, "dokumentetsDato", _day(record.created_at))
    if posttype[0] == "U":
        _sub(registrering, "sendtDato", _moment(record.created_at))
    elif posttype[0] == "I":
        _sub(registrering, "mottattDato", _moment(record.created_at))


def arkivmelding(folder: Folder, record: Record) -> bytes:
    """The arkivmelding for one record, validated; with the saksmappe as long as the archive
    has not given its keys (an archive answers «Eksisterende» for a saksmappe it has)."""
    if record.kind not in KINDS:
        raise InvalidArkivmelding(f"dokumenttypen {record.kind!r} kan ikke arkiveres")
    root = etree.Element(f"{{{NS}}}arkivmelding",
                         nsmap={None: NS, "n5mdk": NS_MDK, "xsi": XSI})
    _sub(root, "system", FAGSYSTEM)
    _sub(root, "antallFiler", str(len(record.files)))
    if folder.system_id is None:
        _saksmappe(root, folder)
    _journalpost(root, record, folder)
    message: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    pretty_print=True)
    validate(message, OPPRETT)
    return message


@cache
def _schema(message_type: str) -> Any:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / f"{message_type}.xsd")))


def validate(message: bytes, message_type: str) -> Any:
    """The parsed message, or :class:`InvalidArkivmelding` naming the schema's first
    complaint (line and text)."""
    schema = _schema(message_type)
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        document = etree.fromstring(message, parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidArkivmelding(f"{message_type}: ikke gyldig XML: {exc}") from exc
    if not schema.validate(document):
        error = schema.error_log[0]
        raise InvalidArkivmelding(
            f"{message_type} er ikke gyldig mot KS' skjema (linje {error.line}): "
            f"{error.message}")
    return document


@dataclass(frozen=True)
class Receipt:
    """What a kvittering says: the saksmappe's keys and the journalpost's systemID."""

    folder_system_id: str | None
    saksnummer: str | None
    record_system_id: str | None
    errors: tuple[str, ...]


def _text(element: Any, path: str) -> str | None:
    found = element.find(path, {"k": NS_KVITTERING})
    return found.text if found is not None else None


def read_receipt(message: bytes) -> Receipt:
    """The keys in a kvittering (validated first); saksnummer as «saksår/sekvensnummer»."""
    root = validate(message, KVITTERING)
    mappe = root.find("k:mappeKvittering", {"k": NS_KVITTERING})
    saksnummer = None
    if mappe is not None and _text(mappe, "k:saksaar") and _text(mappe, "k:sakssekvensnummer"):
        saksnummer = f"{_text(mappe, 'k:saksaar')}/{_text(mappe, 'k:sakssekvensnummer')}"
    registrering = root.find("k:registreringKvittering", {"k": NS_KVITTERING})
    errors = tuple(f"{e.findtext('{*}feilId')}: {e.findtext('{*}feilmelding')}"
                   for e in root.findall("k:*", {"k": NS_KVITTERING})
                   if e.tag.endswith("Feilet"))
    return Receipt(folder_system_id=_text(mappe, "k:systemID") if mappe is not None else None,
                   saksnummer=saksnummer,
                   record_system_id=(_text(registrering, "k:systemID")
                                     if registrering is not None else None),
                   errors=errors)
