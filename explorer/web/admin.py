"""Admin pages (role admin): user accounts, and uploading, validating and loading a seed.

Every change is audited. A new user's TOTP secret is shown once, on the page
that answers the POST that made it, and never again.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import zipfile
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import IO, ClassVar

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from explorer import audited, clock, policy
from explorer.accounts import client_address, current_viewer, require_roles, totp, users
from explorer.clock import now
from explorer.graph import graph_of
from explorer.seed import jobs

bp = Blueprint("admin", __name__, url_prefix="/admin")

MAX_SEED_FILES = 200
MAX_SEED_BYTES = 2 * 1024**3  # uncompressed: a zip bomb stops here
# Seed CSVs deflate 3 to 8 times (a generated population's files); a zip bomb, hundreds or
# thousands of times. Checked on what the zip declares and again on what is written.
MAX_COMPRESSION_RATIO = 100
RATIO_FROM_BYTES = 1024**2  # a small file may compress well and harms nobody
UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class AtLeastOne:
    """A multiple choice needs at least one box ticked. Unlike DataRequired it sets no
    ``required`` flag: on a group of checkboxes, HTML's ``required`` is per box, so the
    browser refused the form until every role was ticked."""

    field_flags: ClassVar[dict] = {}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field) -> None:
        if not field.data:
            raise StopValidation(self.message)


class AddUserForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)])
    display_name = StringField("Display name", validators=[Optional(), Length(max=200)])
    family_name = StringField("Family name", validators=[Optional(), Length(max=200)])
    roles = SelectMultipleField("Roles", choices=[SelectChoice(r) for r in users.ROLES],
                                option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
                                validators=[AtLeastOne("Choose at least one role.")])
    practitioner_id = StringField("Practitioner id (practitioner role)",
                                  validators=[Optional(), Length(max=64)])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=1024)])


class ActionForm(FlaskForm):
    """Disable, enable, reset: a button and its CSRF token."""


class SeedUploadForm(FlaskForm):
    archive = FileField("Seed (a .zip of the CSV files, or of one .jsonl file)", validators=[FileRequired()])


class SeedLoadForm(FlaskForm):
    source = StringField("Source (the feed's name; a snapshot ends only what this source loaded)",
                         validators=[DataRequired(), Length(max=100)])
    mode = SelectField("Mode", choices=[
        SelectChoice("incremental", "incremental: create and update only"),
        SelectChoice("snapshot", "snapshot: also end what this source no longer holds")])
    dry_run = SubmitField("Dry run: show what would change")
    load = SubmitField("Load into the database")


# -- users ---------------------------------------------------------------------------

@bp.get("/users")
@require_roles(policy.may_administer)
def users_page():
    return _users_page(AddUserForm())


def _users_page(form: AddUserForm, error: str | None = None, enrolment: users.Enrolment | None = None,
                status: int = 200):
    listed = users.all_users(graph_of(current_app))
    audited.record("admin.user.list", {})
    qr = totp.qr_svg_data_uri(enrolment.otpauth_uri) if enrolment else None
    return render_template("admin/users.html", form=form, users=listed, action=ActionForm(), error=error,
                           enrolment=enrolment, qr=qr, at=now()), status


@bp.post("/users")
@require_roles(policy.may_administer)
def users_add():
    form = AddUserForm()
    if not form.validate_on_submit():
        # Say which field is wrong, in the form's own words (a missing role was only
        # "Fill in username, at least one role and a password").
        wrong = [f"{form[name].label.text}: {errors[0]}" for name, errors in form.errors.items()
                 if name != "csrf_token"]
        return _users_page(form, error=" ".join(wrong) or "The form expired; try again.", status=400)
    try:
        enrolment = users.create_for_someone_else(
            graph_of(current_app), username=form.username.data, password=form.password.data,
            roles=form.roles.data, display_name=form.display_name.data or "",
            family_name=form.family_name.data or "", practitioner_id=form.practitioner_id.data or None)
    except users.AccountError as exc:
        return _users_page(form, error=str(exc), status=400)
    audited.record("admin.user.add", {"username": enrolment.username,
                                      "roles": sorted(form.roles.data),
                                      "practitioner_id": form.practitioner_id.data or None},
                   flagged=users.grants_child_data(form.roles.data))
    return _users_page(AddUserForm(formdata=None), enrolment=enrolment)


def _user_action(username: str, action: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    graph = graph_of(current_app)
    enrolment = None
    try:
        if action == "disable":
            users.set_disabled(graph, username, True)
        elif action == "enable":
            users.set_disabled(graph, username, False)
        else:
            enrolment = users.reset_second_factor(graph, username)
    except users.AccountError:
        abort(404)
    audited.record(f"admin.user.{action.replace('-', '_')}", {"username": username})
    if enrolment:
        return _users_page(AddUserForm(formdata=None), enrolment=enrolment)
    return redirect(url_for("admin.users_page"))


@bp.post("/users/<username>/disable")
@require_roles(policy.may_administer)
def user_disable(username: str):
    return _user_action(username, "disable")


@bp.post("/users/<username>/enable")
@require_roles(policy.may_administer)
def user_enable(username: str):
    return _user_action(username, "enable")


@bp.post("/users/<username>/reset-2fa")
@require_roles(policy.may_administer)
def user_reset_2fa(username: str):
    return _user_action(username, "reset-2fa")


# -- seeds ---------------------------------------------------------------------------

# An upload waiting to be loaded is child data outside the database (outside the audit trail
# and the archive rules): it is deleted once loaded, and after this long if never loaded.
UPLOAD_KEEP = timedelta(hours=24)


def _uploads_dir() -> Path:
    """The uploads folder, with every upload older than UPLOAD_KEEP deleted first."""
    path = current_app.config["EXPLORER_CONFIG"].var_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    oldest = (now() - UPLOAD_KEEP).timestamp()
    for folder in path.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < oldest:
            shutil.rmtree(folder, ignore_errors=True)
    return path


def _fingerprint(archive: Path) -> str:
    """The upload's sha256, in its audit events: which file was loaded, and by whom."""
    digest = hashlib.sha256()
    with archive.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class UnsafeArchive(ValueError):
    pass


def extract_seed(archive: Path, into: Path) -> Path:
    """Unpack a seed zip safely and return what read_seed should read (a folder or a .jsonl)."""
    with zipfile.ZipFile(archive) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if len(members) > MAX_SEED_FILES:
            raise UnsafeArchive(f"the zip holds {len(members)} files; a seed has at most {MAX_SEED_FILES}")
        if sum(m.file_size for m in members) > MAX_SEED_BYTES:
            raise UnsafeArchive("the zip unpacks to more than 2 GB")
        for member in members:
            _check_ratio(member.filename, member.file_size, member.compress_size)
        written = 0
        for member in members:
            name = PurePosixPath(member.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in member.filename:
                raise UnsafeArchive(f"{member.filename}: a path outside the seed")
            if (member.external_attr >> 16) & 0o170000 == 0o120000:
                raise UnsafeArchive(f"{member.filename}: a symbolic link")
            if name.name.startswith(".") or name.parts[0] == "__MACOSX":
                continue
            target = into.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(member) as src, target.open("wb") as dst:
                written = _copy_checked(member, src, dst, written)
    return seed_root(into)


def _check_ratio(name: str, size: int, compressed: int) -> None:
    if size > RATIO_FROM_BYTES and size > MAX_COMPRESSION_RATIO * max(compressed, 1):
        raise UnsafeArchive(f"{name}: compressed {size // max(compressed, 1)} times (a seed file "
                            f"compresses at most {MAX_COMPRESSION_RATIO} times): refused as a zip bomb")


def _copy_checked(member: zipfile.ZipInfo, src: IO[bytes], dst: IO[bytes], written: int) -> int:
    """Copy one member in blocks, stopping as soon as it outgrows what the zip declared, the
    ratio allows or the running total reaches the cap (headers can lie; the bytes cannot)."""
    size = 0
    for block in iter(lambda: src.read(1 << 20), b""):
        size += len(block)
        written += len(block)
        if size > member.file_size or written > MAX_SEED_BYTES:
            raise UnsafeArchive(f"{member.filename}: unpacks to more than the zip declares or 2 GB")
        _check_ratio(member.filename, size, member.compress_size)
        dst.write(block)
    return written


def _validate(path: Path):
    """(seed, problems): read_seed's verdict, with ids already in the database known."""
    from explorer.seed import SeedInvalid, read_seed
    from explorer.seed.loader import known_ids

    try:
        return read_seed(path, today=clock.today(), known_ids=known_ids(graph_of(current_app))), []
    except SeedInvalid as exc:
        return None, [str(p) for p in exc.problems]


@bp.get("/seed")
@require_roles(policy.may_administer)
def seed_page():
    _uploads_dir()  # deletes uploads left unloaded too long
    return render_template("admin/seed.html", form=SeedUploadForm(), load_form=None, problems=None,
                           running=_jobs().running(), history=_jobs().history())


@bp.post("/seed")
@require_roles(policy.may_administer)
def seed_upload():
    form = SeedUploadForm()
    if not form.validate_on_submit():
        return render_template("admin/seed.html", form=form, load_form=None, problems=None,
                               error="Choose a .zip file."), 400
    upload_id = secrets.token_urlsafe(24)
    folder = _uploads_dir() / upload_id
    folder.mkdir(mode=0o700)
    archive = folder / "upload.zip"
    form.archive.data.save(archive)
    try:
        target = extract_seed(archive, folder / "seed")
    except (UnsafeArchive, zipfile.BadZipFile) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        message = str(exc) if isinstance(exc, UnsafeArchive) else "not a zip file"
        audited.record("admin.seed.upload", {"valid": False, "problems": 1})
        return render_template("admin/seed.html", form=SeedUploadForm(formdata=None), load_form=None,
                               problems=[f"{form.archive.data.filename}: {message}"]), 400
    seed, problems = _validate(target)
    audited.record("admin.seed.upload", {"valid": seed is not None, "problems": len(problems),
                                         "upload": upload_id, "sha256": _fingerprint(archive)})
    if seed is None:
        shutil.rmtree(folder, ignore_errors=True)
        return render_template("admin/seed.html", form=SeedUploadForm(formdata=None), load_form=None,
                               problems=problems), 400
    load_form = SeedLoadForm(formdata=None)
    load_form.source.data = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(form.archive.data.filename or "seed").stem)
    return render_template("admin/seed.html", form=SeedUploadForm(formdata=None),
                           load_form=load_form, upload_id=upload_id,
                           summary=seed.summary(), problems=[])


def _jobs() -> jobs.Jobs:
    return jobs.Jobs(current_app.config["EXPLORER_CONFIG"].var_dir / "seed-jobs")


@bp.post("/seed/<upload_id>/load")
@require_roles(policy.may_administer)
def seed_load(upload_id: str):
    """Start a load (or a dry run) of an upload as a background job, and show its page."""
    form = SeedLoadForm()
    if not UPLOAD_ID.match(upload_id) or not form.validate_on_submit():
        abort(400)
    folder = _uploads_dir() / upload_id
    if not folder.is_dir():
        abort(404)
    graph = graph_of(current_app)
    viewer, client = current_viewer(), client_address()
    kind = "dry-run" if form.dry_run.data else "load"
    sha256 = _fingerprint(folder / "upload.zip")

    def record(job: jobs.Job, seed, report) -> None:
        # Audited as a load from the page always was, when the job ends (in its thread).
        chairs = seed.chairs() if seed is not None else []
        params: dict = {"upload": upload_id, "source": job.source, "mode": job.mode,
                        "sha256": sha256, "job": job.id, "outcome": job.status}
        if report is not None:
            params.update(rows=report.rows, created=report.total("created"),
                          updated=report.total("updated"), ended=sum(report.ended.values()))
        if seed is not None:
            params["chairs"] = chairs[:50]
        action = "admin.seed.dry_run" if job.kind == "dry-run" else "admin.seed.load"
        # An admin naming themselves a conference's chair gives themselves its child's network.
        audited.record(action, params, flagged=viewer.username in chairs, viewer=viewer,
                       client=client, graph=graph)

    work = jobs.load_work(graph, seed_root(folder / "seed"), today=clock.today(), record=record,
                          on_loaded=lambda: shutil.rmtree(folder, ignore_errors=True))
    try:
        job = _jobs().start(kind=kind, username=viewer.username, upload=upload_id, sha256=sha256,
                            source=form.source.data, mode=form.mode.data, work=work)
    except jobs.LoadRunning as exc:
        return render_template("admin/seed.html", form=SeedUploadForm(formdata=None), load_form=None,
                               problems=None, running=_jobs().get(exc.job_id or ""),
                               history=_jobs().history(),
                               error="A seed load is already running: one at a time. "
                                     "Wait for it to finish, then load this file."), 409
    return redirect(url_for("admin.seed_job", job_id=job.id), code=303)


def _job_or_404(job_id: str) -> jobs.Job:
    job = _jobs().get(job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/seed/jobs/<job_id>")
@require_roles(policy.may_administer)
def seed_job(job_id: str):
    """A job's page: its progress (the script in static/js/seed-job.js keeps it current),
    then what it did or, for a dry run, would do, with the first rows of each file."""
    job = _job_or_404(job_id)
    folder = _uploads_dir() / job.upload
    # The file's first rows are child data: shown only to the admin who uploaded it (who has
    # the file anyway), and each showing is in the audit trail.
    preview = first_rows(seed_root(folder / "seed")) if (
        job.kind == "dry-run" and job.status == "done" and folder.is_dir()
        and job.username == current_viewer().username) else None
    if preview is not None:
        audited.record("admin.seed.preview", {"job": job.id, "upload": job.upload, "sha256": job.sha256})
    load_form = None
    if preview is not None:
        load_form = SeedLoadForm(formdata=None, source=job.source, mode=job.mode)
    return render_template("admin/seed_job.html", job=job, progress=job.progress(), preview=preview,
                           load_form=load_form)


@bp.get("/seed/jobs/<job_id>.json")
@require_roles(policy.may_administer)
def seed_job_state(job_id: str):
    return _job_or_404(job_id).progress()


PREVIEW_ROWS = 5


def first_rows(root: Path) -> dict[str, list[list[str]]]:
    """The first rows of each file of an upload (a header, then up to PREVIEW_ROWS rows), as the
    dry run shows them: file -> rows. For a .jsonl, one table per record type."""
    import csv
    import json

    tables: dict[str, list[list[str]]] = {}
    if root.is_file():
        with root.open(encoding="utf-8-sig") as fh:
            for line in fh:
                if not line.strip():
                    continue
                record = json.loads(line)
                kind = f"{root.name} ({record.get('type')})"
                table = tables.setdefault(kind, [[k for k in record if k != "type"]])
                if len(table) <= PREVIEW_ROWS:
                    table.append(["" if record.get(k) is None else str(record.get(k))
                                  for k in table[0]])
        return tables
    for path in sorted(root.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            tables[path.name] = [row for _, row in zip(range(PREVIEW_ROWS + 1), reader, strict=False)]
    return tables


def seed_root(root: Path) -> Path:
    """Past single wrapping folders: a folder of CSV files, or the one .jsonl file."""
    while True:
        entries = [p for p in root.iterdir() if not p.name.startswith(".")]
        if len(entries) == 1 and entries[0].is_dir():
            root = entries[0]
            continue
        if len(entries) == 1 and entries[0].suffix == ".jsonl":
            return entries[0]
        return root
