"""Importing members from a CSV file: checked first, then imported all or nothing.

1. :func:`read_upload` turns the uploaded file into text, or refuses it with
   :class:`ImportRefused` (too big, not UTF-8 text, empty).
2. :func:`check` is the dry run: it reads every row, validates it the way the
   signup form does (``validation.normalise_email`` and friends), merges rows
   that share an address, and looks up who is already a member. The result, a
   :class:`Plan`, knows every row-level error with its line in the file (the
   header is line 1) and the figures the preview shows.
3. :func:`preview` keeps the file and those figures on a ``MemberImport``.
   An import with errors cannot be run.
4. ``tasks.run_import`` calls :func:`run`, which checks the file again (topics
   or members may have changed since the preview) and writes every member in
   ONE transaction, in chunks of bulk inserts and updates. If anything fails,
   nothing is kept and the import is marked failed with the reason.

Progress: what the task writes inside its transaction is invisible to other
connections until it commits, so the count of people written so far goes
through the cache (:func:`progress_of`); the MemberImport row gets its final
counts in the same transaction as the members.

Consent comes only from the person. An import grants email only when the
editor says these people agreed and records the words they agreed to; it never
re-subscribes someone who unsubscribed from email, and never brings back an
address on the suppression list (people who asked to be deleted).
"""
from __future__ import annotations

import csv
import io
import logging
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.constants import OnConflict
from django.db.models.functions import Lower
from django.utils import timezone
from taggit.models import Tag
from wagtail.log_actions import log

from . import consent, hooks
from .channels import channels_for
from .models import (
    ConsentAction,
    ConsentRecord,
    ImportStatus,
    Member,
    MemberImport,
    Source,
    Stage,
    Subscription,
    Suppression,
    TaggedMember,
    Topic,
    email_key,
    new_secret,
)
from .signup import member_data
from .validation import (
    SOURCE_MAX_LENGTH,
    WORDING_MAX_LENGTH,
    MemberRejected,
    clean_name,
    normalise_email,
    normalise_phone,
)

logger = logging.getLogger(__name__)

# Rows written per bulk statement, and how often progress is reported.
CHUNK_SIZE = 500
# Chunk size for ``__in`` lookups, well under every database's parameter limit.
LOOKUP_CHUNK = 500
# Parameters in one INSERT where the database sets no lower limit (PostgreSQL allows 65535).
MAX_PARAMS = 30000
PROGRESS_SECONDS = 6 * 60 * 60
TAG_MAX_LENGTH = 100
# The preview lists this many merged addresses and skipped lines; counts cover them all.
LISTED_MAX = 50

# Stages in the order people move along them: a default stage never moves
# an existing member backwards.
STAGE_ORDER = [Stage.CONTACT, Stage.PROSPECT, Stage.CUSTOMER]

COLUMNS = ("email", "name", "phone", "stage", "tags", "topics")
# Column headings people use for the same thing (compared case-insensitively,
# with underscores and repeated spaces read as one space).
COLUMN_ALIASES = {
    "email": "email",
    "e-mail": "email",
    "email address": "email",
    "e-mail address": "email",
    "name": "name",
    "full name": "name",
    "phone": "phone",
    "mobile": "phone",
    "phone number": "phone",
    "mobile number": "phone",
    "stage": "stage",
    "tags": "tags",
    "tag": "tags",
    "topics": "topics",
    "topic": "topics",
}
LIST_SEPARATORS = re.compile(r"[,;]")


def max_bytes() -> int:
    return settings.MEMBERS_IMPORT_MAX_BYTES


class ImportRefused(Exception):
    """The whole file was refused (nothing was kept); ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ImportOptions:
    """What the editor chose on the upload form."""

    default_stage: str = Stage.CONTACT  # for rows that give none
    email_consent: bool = False  # these people agreed to get email from the business
    consent_wording: str = ""  # what they agreed to, where and when
    consent_source: str = ""  # "CSV import <file> by <user>", set by preview()

    def __post_init__(self):
        if self.default_stage not in Stage.values:
            raise ImportRefused(f"“{str(self.default_stage)[:40]}” is not a stage.")
        if self.email_consent and not self.consent_wording.strip():
            raise ImportRefused(
                "Say what these people agreed to, and where and when, before importing them with consent."
            )
        if len(self.consent_wording) > WORDING_MAX_LENGTH:
            raise ImportRefused(f"The consent wording can be at most {WORDING_MAX_LENGTH} characters.")

    @classmethod
    def from_dict(cls, data: dict) -> ImportOptions:
        known = {"default_stage", "email_consent", "consent_wording", "consent_source"}
        return cls(**{key: value for key, value in (data or {}).items() if key in known})


def consent_source_for(file_name: str, user) -> str:
    who = (user.get_username() if user is not None else "") or "a deleted user"
    return f"CSV import {file_name} by {who}"[:SOURCE_MAX_LENGTH]


# --- reading the file --------------------------------------------------------------


def read_upload(upload) -> tuple[str, str]:
    """``(file name, text)`` of an uploaded file, or ImportRefused."""
    file_name = os.path.basename(upload.name or "").strip()[:200] or "upload.csv"
    limit = max_bytes()
    if upload.size > limit:
        raise ImportRefused(
            f"“{file_name}” is {_size(upload.size)}; files can be at most {_size(limit)}. "
            "Split it into smaller files and import them one after another."
        )
    raw = upload.read(limit + 1)
    return file_name, decode(raw, file_name)


def decode(raw: bytes, file_name: str = "The file") -> str:
    """The text of a CSV file in UTF-8, with or without a byte order mark."""
    if not raw.strip():
        raise ImportRefused(f"“{file_name}” is empty: there is nothing to import.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(
            f"“{file_name}” is not a CSV file in UTF-8 text. If it is a spreadsheet, save it from "
            "your spreadsheet program as “CSV UTF-8 (comma-separated)” and upload that."
        ) from None
    if "\x00" in text:
        raise ImportRefused(
            f"“{file_name}” is not a CSV text file (it holds binary data; is it an .xlsx or .numbers "
            "file?). Save it as “CSV UTF-8” and upload that."
        )
    return text


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    if count >= 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count} bytes"


# --- the plan: every row read, checked and merged ------------------------------------------


@dataclass
class Person:
    """One address in the file; rows that share it are merged into one."""

    email: str
    key: str
    lines: list[int]
    name: str = ""
    phone: str = ""
    stage: str = ""  # as the file gives it; "" takes the default stage
    tags: dict[str, str] = field(default_factory=dict)  # casefolded -> as first written
    topics: set[str] = field(default_factory=set)  # slugs

    def merge(self, later: Person) -> None:
        """Take ``later``'s non-empty values (the later row wins), and both rows' tags and topics."""
        self.lines.extend(later.lines)
        self.email = later.email
        self.name = later.name or self.name
        self.phone = later.phone or self.phone
        self.stage = later.stage or self.stage
        for folded, tag in later.tags.items():
            self.tags.setdefault(folded, tag)
        self.topics |= later.topics


@dataclass
class Existing:
    """What the database holds about someone in the file who is already a member."""

    id: int
    stage: str
    name: str
    phone: str
    confirmed_at: object
    unsubscribed_at: object
    on_email: bool  # has an email subscription now
    left_email: bool  # withdrew email and has not granted it again


@dataclass
class Plan:
    people: dict[str, Person]  # email key -> person, in file order
    errors: list[dict]  # {"line", "column", "message"}
    row_count: int  # data rows, blank lines left out
    ignored_columns: list[str]
    options: ImportOptions
    existing: dict[str, Existing] = field(default_factory=dict)
    suppressed: set[str] = field(default_factory=set)  # email keys on the suppression list

    def grants_email(self, person: Person) -> bool:
        """Whether this import puts ``person`` on email (with a consent record)."""
        if not self.options.email_consent or person.key in self.suppressed:
            return False
        found = self.existing.get(person.key)
        return found is None or not (found.on_email or found.left_email)

    def to_write(self) -> list[Person]:
        """People the import writes: everyone but new people whose address is suppressed."""
        return [p for p in self.people.values() if p.key in self.existing or p.key not in self.suppressed]

    def summary(self) -> dict:
        people = list(self.people.values())
        skipped = [p for p in people if p.key in self.suppressed and p.key not in self.existing]
        merged = [p for p in people if len(p.lines) > 1]
        return {
            "rows": self.row_count,
            "people": len(people),
            "new": sum(1 for p in people if p.key not in self.existing and p.key not in self.suppressed),
            "updated": sum(1 for p in people if p.key in self.existing),
            "merged_rows": sum(len(p.lines) - 1 for p in merged),
            "merges": [{"email": p.email, "lines": p.lines} for p in merged[:LISTED_MAX]],
            "skipped": len(skipped),
            "skipped_lines": sorted(line for p in skipped[:LISTED_MAX] for line in p.lines),
            "email_grants": sum(1 for p in people if self.grants_email(p)),
            "stay_unsubscribed": sum(
                1 for p in people if self.options.email_consent and p.key in self.existing
                and self.existing[p.key].left_email
            ),
            "ignored_columns": self.ignored_columns,
            "error_count": len(self.errors),
        }


def _heading_key(heading: str) -> str:
    return " ".join(heading.strip().casefold().replace("_", " ").split())


def _delimiter(text: str) -> str:
    """Commas, or the semicolons (or tabs) some spreadsheets write instead, as the header shows."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _error(line: int | None, column: str, message: str) -> dict:
    return {"line": line, "column": column, "message": message}


def parse(site, text: str, options: ImportOptions) -> Plan:
    """Read and check every row of ``text`` (no members are looked up yet).
    ImportRefused if the file as a whole cannot be read."""
    if not text.strip():
        raise ImportRefused("The file is empty: there is nothing to import.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportRefused(f"Line 1 is not valid CSV ({error}).") from None
    mapped = [COLUMN_ALIASES.get(_heading_key(heading)) for heading in header]
    if "email" not in mapped:
        shown = ", ".join(f"“{h.strip()[:40]}”" for h in header if h.strip())[:300] or "nothing"
        raise ImportRefused(
            "The file has no email column. Its first line must name the columns, e.g. "
            f"“{','.join(COLUMNS)}”; it reads {shown}."
        )
    index: dict[str, int] = {}
    for position, column in enumerate(mapped):
        if column is None:
            continue
        if column in index:
            raise ImportRefused(
                f"The first line names the {column} column twice (columns {index[column] + 1} and "
                f"{position + 1}). Keep one of them."
            )
        index[column] = position
    ignored = [
        heading.strip()[:80]
        for heading, column in zip(header, mapped, strict=True)
        if column is None and heading.strip()
    ]

    slugs = Topic.objects.filter(site=site).values_list("slug", flat=True)
    topics = {slug.casefold(): slug for slug in slugs}
    people: dict[str, Person] = {}
    errors: list[dict] = []
    row_count = 0
    last_line = reader.line_num
    try:
        for row in reader:
            # A quoted value may span lines: a row starts on the line after the previous one ended.
            line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            row_count += 1
            person, row_errors = _read_row(row, line, index, len(header), topics)
            if row_errors:
                errors.extend(row_errors)
            elif person.key in people:
                people[person.key].merge(person)
            else:
                people[person.key] = person
    except csv.Error as error:
        raise ImportRefused(
            f"Line {reader.line_num} is not valid CSV ({error}). Nothing was imported."
        ) from None
    if not row_count:
        raise ImportRefused("The file has a header line but no rows of people under it.")
    return Plan(people, errors, row_count, ignored, options)


def _read_row(row: list[str], line: int, index: dict[str, int], width: int, topics: dict[str, str]):
    def value(column: str) -> str:
        position = index.get(column)
        return row[position].strip() if position is not None and position < len(row) else ""

    errors = []
    if len(row) > width and any(cell.strip() for cell in row[width:]):
        errors.append(_error(
            line, "",
            f"This line has {len(row)} values but the first line names {width} columns. "
            "A value with a comma in it needs double quotes around it.",
        ))
    email = ""
    raw_email = value("email")
    if not raw_email:
        errors.append(_error(line, "email", "There is no email address on this line; every line needs one."))
    else:
        try:
            email = normalise_email(raw_email)
        except MemberRejected as rejected:
            errors.append(_error(line, "email", rejected.message))
    name = phone = stage = ""
    try:
        name = clean_name(value("name"))
    except MemberRejected as rejected:
        errors.append(_error(line, "name", rejected.message))
    try:
        phone = normalise_phone(value("phone"))
    except MemberRejected as rejected:
        errors.append(_error(line, "phone", rejected.message))
    raw_stage = value("stage")
    if raw_stage:
        stage = _stage(raw_stage)
        if not stage:
            errors.append(_error(
                line, "stage",
                f"“{raw_stage[:40]}” is not a stage: use {', '.join(Stage.values)}, or leave it empty for "
                "the stage chosen on the upload form.",
            ))
    tags: dict[str, str] = {}
    for raw_tag in LIST_SEPARATORS.split(value("tags")):
        tag = " ".join(raw_tag.split())
        if not tag:
            continue
        if len(tag) > TAG_MAX_LENGTH:
            errors.append(
                _error(line, "tags", f"Tags can be at most {TAG_MAX_LENGTH} characters: “{tag[:40]}…”.")
            )
        elif any(ord(char) < 32 for char in tag):
            errors.append(_error(line, "tags", "Tags cannot contain control characters."))
        else:
            tags.setdefault(tag.casefold(), tag)
    chosen_topics = set()
    for raw_slug in re.split(r"[,;\s]+", value("topics")):
        if not raw_slug:
            continue
        slug = topics.get(raw_slug.casefold())
        if slug is None:
            known = ", ".join(sorted(topics.values())[:12])
            if known:
                choose = f"the topics are: {known}."
            else:
                choose = "it has no topics yet (add them under Members → Topics)."
            errors.append(_error(line, "topics", f"“{raw_slug[:40]}” is not a topic on this site; {choose}"))
        else:
            chosen_topics.add(slug)
    if not email:
        return None, errors
    return Person(email, email_key(email), [line], name, phone, stage, tags, chosen_topics), errors


def _stage(raw: str) -> str:
    folded = raw.casefold()
    for value, label in Stage.choices:
        if folded in (value, str(label).casefold()):
            return value
    return ""


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def look_up(site, plan: Plan) -> Plan:
    """Fill in who in ``plan`` is already a member, and whose address is suppressed."""
    keys = list(plan.people)
    existing: dict[str, Existing] = {}
    for chunk in _chunks(keys, LOOKUP_CHUNK):
        rows = list(
            Member.objects.filter(site=site, email_key__in=chunk).values_list(
                "id", "email_key", "stage", "name", "phone", "confirmed_at", "unsubscribed_at"
            )
        )
        ids = [row[0] for row in rows]
        on_email = set(
            Subscription.objects.filter(member_id__in=ids, channel="email")
            .values_list("member_id", flat=True)
        )
        withdrew = set(
            ConsentRecord.objects.filter(
                member_id__in=ids, channel="email", action=ConsentAction.WITHDRAWN
            ).values_list("member_id", flat=True)
        )
        for member_id, key, stage, name, phone, confirmed_at, unsubscribed_at in rows:
            existing[key] = Existing(
                member_id, stage, name, str(phone or ""), confirmed_at, unsubscribed_at,
                on_email=member_id in on_email,
                left_email=member_id in withdrew and member_id not in on_email,
            )
    by_hash = {
        consent.address_hash(Suppression.EMAIL, person.email): key for key, person in plan.people.items()
    }
    suppressed = set()
    for chunk in _chunks(list(by_hash), LOOKUP_CHUNK):
        found = Suppression.objects.filter(site=site, kind=Suppression.EMAIL, address_hash__in=chunk)
        suppressed.update(by_hash[value] for value in found.values_list("address_hash", flat=True))
    plan.existing, plan.suppressed = existing, suppressed
    return plan


def check(site, text: str, options: ImportOptions) -> Plan:
    """The dry run: everything the import would do, and every error, without writing anything."""
    return look_up(site, parse(site, text, options))


def preview(site, user, upload, options: ImportOptions) -> MemberImport:
    """Check an uploaded file and keep it, with the preview's figures, as a
    MemberImport waiting to be run. ImportRefused for a file that cannot be read."""
    file_name, text = read_upload(upload)
    options = ImportOptions(
        options.default_stage, options.email_consent, options.consent_wording.strip(),
        consent_source_for(file_name, user),
    )
    plan = check(site, text, options)
    return MemberImport.objects.create(
        site=site,
        created_by=user,
        file_name=file_name,
        content=text,
        options={**asdict(options), "summary": plan.summary()},
        status=ImportStatus.PREVIEWED,
        row_count=plan.row_count,
        errors=plan.errors,
    )


# --- progress --------------------------------------------------------------------


def _progress_cache():
    """Where running imports report progress: a cache every process shares
    (the worker writes, the web process reads). MEMBERS_IMPORT_PROGRESS_CACHE
    names it; a per-process local-memory cache shows progress only at the end."""
    return caches[settings.MEMBERS_IMPORT_PROGRESS_CACHE]


def _progress_key(import_id: int) -> str:
    return f"members:import-progress:{import_id}"


def report_progress(import_id: int, phase: str, done: int, total: int) -> None:
    """Tell other connections how far a running import has got (the cache,
    because the import's own rows stay invisible until it commits)."""
    progress = {"phase": phase, "done": done, "total": total}
    _progress_cache().set(_progress_key(import_id), progress, PROGRESS_SECONDS)


def progress_of(member_import: MemberImport) -> dict:
    """``{"phase", "done", "total", "percent"}`` for the status page."""
    total = member_import.row_count
    if member_import.status == ImportStatus.DONE:
        return {"phase": "done", "done": total, "total": total, "percent": 100}
    if member_import.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        found = _progress_cache().get(_progress_key(member_import.pk)) or {}
        done = min(found.get("done", member_import.processed_count), total)
        phase = found.get("phase", "waiting" if member_import.status == ImportStatus.QUEUED else "checking")
        percent = round(100 * done / total) if total else 0
        return {"phase": phase, "done": done, "total": total, "percent": percent}
    return {"phase": member_import.status, "done": member_import.processed_count, "total": total,
            "percent": member_import.progress_percent}


# --- running the import -------------------------------------------------------------------


def start(member_import: MemberImport, user) -> bool:
    """Queue a previewed, error-free import (once). Returns whether it was queued."""
    from . import tasks

    if member_import.errors:
        return False
    queued = MemberImport.objects.filter(pk=member_import.pk, status=ImportStatus.PREVIEWED).update(
        status=ImportStatus.QUEUED
    )
    if not queued:
        return False
    member_import.status = ImportStatus.QUEUED
    log(member_import, "members.import_started", user=user, data={"file_name": member_import.file_name})
    import_id = member_import.pk
    transaction.on_commit(lambda: tasks.run_import.enqueue(import_id))
    return True


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    stage_changes: list[tuple[int, str | None, str]] = field(default_factory=list)
    email_grants: list[int] = field(default_factory=list)


ProgressFn = Callable[[int, str, int, int], None]


def run(import_id: int, *, progress: ProgressFn = report_progress, chunk_size: int = CHUNK_SIZE) -> bool:
    """Import a queued MemberImport all or nothing. Returns whether it was imported.

    Claimed with a conditional update, so a task delivered twice runs once."""
    claimed = MemberImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING
    )
    if not claimed:
        return False
    member_import = MemberImport.objects.select_related("site", "created_by").get(pk=import_id)
    site = member_import.site
    started = time.perf_counter()
    try:
        options = ImportOptions.from_dict(member_import.options)
        progress(import_id, "checking", 0, member_import.row_count)
        plan = parse(site, member_import.content, options)
        if plan.errors:
            _fail(
                member_import, plan.errors,
                "The file no longer passes its checks (topics or the rules changed since the preview). "
                "Nothing was imported; fix the lines below and upload it again.",
            )
            return False
        with transaction.atomic():
            look_up(site, plan)
            outcome = _write(site, plan, member_import, progress, chunk_size)
            summary = {**plan.summary(), "seconds": round(time.perf_counter() - started, 2)}
            MemberImport.objects.filter(pk=import_id).update(
                status=ImportStatus.DONE,
                row_count=plan.row_count,
                processed_count=plan.row_count,
                created_count=outcome.created,
                updated_count=outcome.updated,
                options={**member_import.options, "summary": summary},
                # The file holds personal data: once imported, the members are the record.
                content="",
                finished_at=timezone.now(),
            )
            log(
                member_import, "members.imported", user=member_import.created_by,
                data={
                    "file_name": member_import.file_name,
                    "created": outcome.created,
                    "updated": outcome.updated,
                },
            )
            site_id = site.pk
            transaction.on_commit(lambda: announce(site_id, outcome, options.consent_source))
    except ImportRefused as refused:
        _fail(member_import, [], refused.message)
        return False
    except Exception as error:  # anything at all: the transaction is rolled back, say so
        logger.exception("Member import %s failed", import_id)
        _fail(
            member_import, [],
            f"The import stopped with an error and nothing was imported ({type(error).__name__}: "
            f"{str(error)[:200]}). You can upload the file again.",
        )
        return False
    finally:
        _progress_cache().delete(_progress_key(import_id))
    return True


def _fail(member_import: MemberImport, errors: list[dict], reason: str) -> None:
    MemberImport.objects.filter(pk=member_import.pk).update(
        status=ImportStatus.FAILED,
        errors=[_error(None, "", reason), *errors],
        processed_count=0,
        created_count=0,
        updated_count=0,
        content="",
        finished_at=timezone.now(),
    )


def _tag_ids(names: dict[str, str]) -> dict[str, int]:
    """Casefolded tag name -> Tag id, creating the tags that don't exist yet
    (tags are case-insensitive here, TAGGIT_CASE_INSENSITIVE)."""
    found: dict[str, int] = {}
    folded = list(names)
    for chunk in _chunks(folded, LOOKUP_CHUNK):
        rows = Tag.objects.annotate(folded=Lower("name")).filter(folded__in=[n.lower() for n in chunk])
        for tag_id, name in rows.values_list("id", "name"):
            found.setdefault(name.casefold(), tag_id)
    for key in folded:
        if key not in found:
            found[key] = Tag.objects.create(name=names[key]).pk  # Tag.save() makes a unique slug
    return found


def insert_rows(model, columns: tuple[str, ...], rows: list[tuple], *, same: dict | None = None,
                ignore_conflicts: bool = False) -> None:
    """INSERT ``rows`` into ``model``'s table, many rows per statement.

    Each row holds values for the fields named in ``columns``, already as the
    database stores them (ids, text, E.164 numbers, prepared datetimes).
    Every other field takes its value from ``same`` or its default, the same
    for every row, prepared once. bulk_create prepares and compiles SQL for
    every value of every row, which was most of an import's time; this costs
    little more than the values themselves. No primary keys come back.
    """
    if not rows:
        return
    template = model(**(same or {}))
    given = [model._meta.get_field(name) for name in columns]
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f not in given]
    other_values = tuple(f.get_db_prep_save(f.pre_save(template, True), connection) for f in others)
    fields = [*given, *others]
    quote = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    head = (
        f"{connection.ops.insert_statement(on_conflict=on_conflict)} {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) VALUES "
    )
    tail = connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    placeholders = f"({', '.join(['%s'] * len(fields))})"
    per_statement = max(1, (connection.features.max_query_params or MAX_PARAMS) // len(fields))
    with connection.cursor() as cursor:
        for batch in _chunks(rows, per_statement):
            cursor.execute(
                f"{head}{', '.join([placeholders] * len(batch))} {tail}",
                [value for row in batch for value in (*row, *other_values)],
            )


def _db_datetime(value):
    return Member._meta.get_field("confirmed_at").get_db_prep_save(value, connection)


def _further_along(current: str, proposed: str) -> bool:
    return STAGE_ORDER.index(proposed) > STAGE_ORDER.index(current)


def _write(site, plan: Plan, member_import: MemberImport, progress: ProgressFn, chunk_size: int) -> Outcome:
    """Write ``plan`` (inside the caller's transaction), chunk by chunk."""
    options = plan.options
    now = timezone.now()
    now_db = _db_datetime(now)
    outcome = Outcome()
    people = plan.to_write()
    if options.email_consent and "email" not in channels_for(site):
        raise ImportRefused(
            "Email is not a channel on this site, so nobody can be imported with email consent."
        )
    frequency = channels_for(site)["email"].frequencies[0] if options.email_consent else ""
    topic_ids = dict(Topic.objects.filter(site=site).values_list("slug", "id"))
    all_tags: dict[str, str] = {}
    for person in people:
        for folded, tag in person.tags.items():
            all_tags.setdefault(folded, tag)
    tag_ids = _tag_ids(all_tags)
    source_detail = member_import.file_name[:200]
    rows_total, rows_done = plan.row_count, 0
    progress(member_import.pk, "writing", 0, rows_total)

    for chunk in _chunks(people, chunk_size):
        new_people = [p for p in chunk if p.key not in plan.existing]
        insert_rows(
            Member, ("email", "email_key", "name", "phone", "stage", "confirmed_at", "feed_key"),
            [
                (p.email, p.key, p.name, p.phone, p.stage or options.default_stage,
                 now_db if plan.grants_email(p) else None, new_secret())
                for p in new_people
            ],
            same={"site": site, "source": Source.IMPORT, "source_detail": source_detail, "created_at": now},
        )
        member_ids = dict(
            Member.objects.filter(site=site, email_key__in=[p.key for p in new_people])
            .values_list("email_key", "id")
        )
        outcome.created += len(new_people)
        outcome.stage_changes.extend(
            (member_ids[p.key], None, p.stage or options.default_stage) for p in new_people
        )

        changed = []
        for person in chunk:
            found = plan.existing.get(person.key)
            if found is None:
                continue
            member_ids[person.key] = found.id
            outcome.updated += 1
            member = Member(
                pk=found.id, name=found.name or person.name, phone=found.phone or person.phone,
                stage=found.stage, confirmed_at=found.confirmed_at, unsubscribed_at=found.unsubscribed_at,
                updated_at=now,
            )
            stage = person.stage or (
                options.default_stage if _further_along(found.stage, options.default_stage) else found.stage
            )
            if stage != found.stage:
                member.stage = stage
                outcome.stage_changes.append((found.id, found.stage, stage))
            if plan.grants_email(person):
                member.confirmed_at = found.confirmed_at or now
                member.unsubscribed_at = None
            before = (found.name, found.phone, found.stage, found.confirmed_at, found.unsubscribed_at)
            after = (
                member.name, str(member.phone or ""), member.stage, member.confirmed_at,
                member.unsubscribed_at,
            )
            if after != before:
                changed.append(member)
        if changed:
            Member.objects.bulk_update(
                changed, ["name", "phone", "stage", "confirmed_at", "unsubscribed_at", "updated_at"]
            )

        insert_rows(
            Member.topics.through, ("member", "topic"),
            [(member_ids[p.key], topic_ids[slug]) for p in chunk for slug in p.topics],
            ignore_conflicts=True,
        )
        tagged = set(
            TaggedMember.objects.filter(
                content_object_id__in=[member_ids[p.key] for p in chunk if p.key in plan.existing]
            ).values_list("content_object_id", "tag_id")
        )
        insert_rows(TaggedMember, ("content_object", "tag"), [
            (member_ids[p.key], tag_ids[folded])
            for p in chunk for folded in p.tags
            if (member_ids[p.key], tag_ids[folded]) not in tagged
        ])

        granted = [member_ids[p.key] for p in chunk if plan.grants_email(p)]
        insert_rows(
            Subscription, ("member",), [(i,) for i in granted],
            same={"channel": "email", "frequency": frequency, "created_at": now},
        )
        insert_rows(
            ConsentRecord, ("member",), [(i,) for i in granted],
            same={
                "channel": "email", "action": ConsentAction.GRANTED, "at": now,
                "source": options.consent_source, "wording": options.consent_wording,
            },
        )
        outcome.email_grants.extend(granted)

        rows_done += sum(len(p.lines) for p in chunk)
        progress(member_import.pk, "writing", min(rows_done, rows_total), rows_total)
    return outcome


# --- telling other plugins, after the commit ------------------------------------------------


def announce(site_id: int, outcome: Outcome, consent_source: str) -> None:
    """Send ``member_stage_changed`` (source "import") for each new member and
    each stage the import changed, and ``consent_changed`` for each email
    grant; in batches, and only if someone listens on the site."""
    from wagtail.models import Site

    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return
    wanted = []
    if hooks.member_stage_changed.receivers_for(site):
        wanted.extend(("stage", change) for change in outcome.stage_changes)
    if hooks.consent_changed.receivers_for(site):
        wanted.extend(("consent", member_id) for member_id in outcome.email_grants)
    for batch in _chunks(wanted, LOOKUP_CHUNK):
        ids = {item[0] if kind == "stage" else item for kind, item in batch}
        members = Member.objects.filter(pk__in=ids).prefetch_related("subscriptions", "topics", "tags")
        data = {member.pk: member_data(member) for member in members}
        for kind, item in batch:
            if kind == "stage":
                member_id, old_stage, new_stage = item
                if member_id in data:
                    hooks.member_stage_changed.send(
                        site, member=data[member_id], old_stage=old_stage, new_stage=new_stage,
                        source="import",
                    )
            elif item in data:
                hooks.consent_changed.send(site, member=data[item], channel="email", granted=True,
                                           source=consent_source)
